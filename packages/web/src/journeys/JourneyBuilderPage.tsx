import {
  type JourneyDefinition,
  type JourneyDetail,
  type JourneyIssue,
  validateJourney,
} from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  Background,
  Controls,
  type Edge,
  type Node,
  type NodeChange,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import { useJourney, useJourneyAction, useSaveDraft } from './api';
import { type CanvasNode, conversion, describeTrigger, toCanvas } from './graph';
import { WebhookEndpointField } from './WebhookEndpointField';

function NodeBox({ node }: { node: CanvasNode }) {
  const c = node.counts;
  return (
    <div data-testid={`journey-node-${node.id}`}>
      <Text size="xs" fw={700}>
        {node.title}
      </Text>
      <Text size="xs" c="dimmed">
        {node.detail}
      </Text>
      <Text size="xs" mt={4}>
        {c.entered} entered · {c.waiting} waiting
        {c.completed ? ` · ${c.completed} completed` : ''}
        {c.exited ? ` · ${c.exited} exited` : ''}
        {c.failed ? ` · ${c.failed} failed` : ''}
      </Text>
    </div>
  );
}

/** The editor beside the canvas: the selected node as JSON, applied and validated. */
function NodeEditor({
  draft,
  nodeId,
  onApply,
}: {
  draft: JourneyDefinition;
  nodeId: string;
  onApply: (next: JourneyDefinition) => void;
}) {
  const node = draft.nodes.find((n) => n.id === nodeId);
  const [text, setText] = useState(() => JSON.stringify(node, null, 2));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setError('This is not JSON');
      return;
    }
    setError(null);
    onApply({
      ...draft,
      nodes: draft.nodes.map((n) => (n.id === nodeId ? (parsed as typeof n) : n)),
    });
  };
  return (
    <Stack gap="xs">
      <WebhookEndpointField text={text} onChange={setText} />
      <Textarea
        label={`Node ${nodeId}`}
        autosize
        minRows={8}
        maxRows={24}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        error={error}
      />
      <Button size="xs" variant="light" onClick={apply}>
        Apply
      </Button>
    </Stack>
  );
}

function Builder({ detail, id }: { detail: JourneyDetail; id: string }) {
  const initial = validateJourney(detail.draft);
  const [draft, setDraft] = useState<unknown>(detail.draft);
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const save = useSaveDraft(id);
  const act = useJourneyAction(id);
  const checked = useMemo(() => validateJourney(draft), [draft]);
  const shown: JourneyDefinition | null = checked.ok
    ? checked.journey
    : initial.ok
      ? initial.journey
      : null;
  const issues: JourneyIssue[] = checked.ok ? [] : checked.issues;
  const canvas = useMemo(
    () => (shown ? toCanvas(shown, detail.nodes) : null),
    [shown, detail.nodes],
  );
  const flowNodes: Node[] = (canvas?.nodes ?? []).map((n) => ({
    id: n.id,
    position: n.position,
    data: { label: <NodeBox node={n} /> },
    style: { width: 220, borderColor: n.type === 'goal' ? 'teal' : undefined },
    selected: n.id === selected,
  }));
  const flowEdges: Edge[] = (canvas?.edges ?? []).map((e) => ({ ...e, animated: e.label !== '' }));
  const update = (next: JourneyDefinition | unknown) => {
    setDraft(next);
    setDirty(true);
  };
  const onNodesChange = (changes: NodeChange[]) => {
    if (!shown) return;
    const moved = new Map<string, { x: number; y: number }>();
    for (const change of changes) {
      if (change.type === 'position' && change.position)
        moved.set(change.id, {
          x: Math.round(change.position.x),
          y: Math.round(change.position.y),
        });
      if (change.type === 'select' && change.selected) setSelected(change.id);
    }
    if (moved.size === 0) return;
    update({
      ...shown,
      nodes: shown.nodes.map((n) => {
        const position = moved.get(n.id);
        return position ? { ...n, position } : n;
      }),
    });
  };
  const run = (action: 'publish' | 'pause' | 'resume') =>
    act.mutate(action, {
      onSuccess: () => notifications.show({ color: 'teal', message: `Journey ${action}d` }),
      onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
    });
  const rate = conversion(detail.journey.enrolments);
  const status = detail.journey.status;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <div>
          <Title order={2}>{detail.journey.name}</Title>
          <Text size="sm" c="dimmed">
            {detail.journey.key} · version {detail.journey.publishedVersion ?? 'none'} ·{' '}
            {rate === null ? 'no enrolments yet' : `${rate} % reached the goal`}
            {shown ? ` · ${describeTrigger(shown.trigger)}` : ''}
          </Text>
        </div>
        <Group gap="xs">
          <Badge variant="light">{status}</Badge>
          <Button
            size="xs"
            variant="default"
            disabled={!dirty || !checked.ok}
            loading={save.isPending}
            onClick={() =>
              save.mutate(draft, {
                onSuccess: () => {
                  setDirty(false);
                  notifications.show({ color: 'teal', message: 'Draft saved' });
                },
                onError: (error) =>
                  notifications.show({ color: 'red', message: errorMessage(error) }),
              })
            }
          >
            Save draft
          </Button>
          <Button
            size="xs"
            disabled={dirty || !checked.ok}
            loading={act.isPending}
            onClick={() => run('publish')}
          >
            Publish
          </Button>
          {status === 'published' ? (
            <Button size="xs" color="orange" variant="light" onClick={() => run('pause')}>
              Pause
            </Button>
          ) : status === 'paused' ? (
            <Button size="xs" variant="light" onClick={() => run('resume')}>
              Resume
            </Button>
          ) : null}
        </Group>
      </Group>
      {issues.length > 0 ? (
        <Alert
          color="red"
          title="This draft cannot be published"
          mb="sm"
          data-testid="journey-issues"
        >
          <List size="sm">
            {issues.map((issue) => (
              <List.Item key={`${issue.code}${issue.path}`}>
                {issue.path}: {issue.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <Paper
          withBorder
          style={{ height: 640, gridColumn: 'span 2' }}
          data-testid="journey-canvas"
        >
          <ReactFlow
            nodes={flowNodes}
            edges={flowEdges}
            onNodesChange={onNodesChange}
            fitView
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
          </ReactFlow>
        </Paper>
        <Paper withBorder p="md">
          {selected && shown ? (
            <NodeEditor key={selected} draft={shown} nodeId={selected} onApply={update} />
          ) : (
            <Text size="sm" c="dimmed">
              Select a node to edit its configuration. Changes are checked with the same validator
              the engine and the CLI use; publish makes the draft the next version (running
              enrolments finish on theirs).
            </Text>
          )}
        </Paper>
      </SimpleGrid>
    </>
  );
}

/** The journey builder: the graph on a canvas with live per-node counts, edit, validate, publish. */
export function JourneyBuilderPage() {
  const { id = '' } = useParams();
  const journey = useJourney(id);
  if (journey.isPending) return <PageLoader />;
  if (journey.isError)
    return <ErrorMessage error={journey.error} onRetry={() => journey.refetch()} />;
  return <Builder key={id} detail={journey.data} id={id} />;
}
