import {
  checkJourneyDefinition,
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
  Menu,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  Background,
  type Connection,
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
import {
  addStep,
  type CanvasNode,
  connect,
  conversion,
  describeTrigger,
  removeStep,
  STEP_KINDS,
  STEP_LABELS,
  TRIGGER_NODE,
  toCanvas,
} from './graph';
import { NextStepSelect } from './steps/NextStepSelect';
import { StepPanel } from './steps/StepPanel';

/** The trigger's box above the entry step: drag from it to choose the first step. */
function triggerNode(journey: JourneyDefinition): Node {
  const entry = journey.nodes.find((n) => n.id === journey.entry)?.position ?? { x: 0, y: 0 };
  const top = Math.min(entry.y, ...journey.nodes.map((n) => n.position?.y ?? 0));
  return {
    id: TRIGGER_NODE,
    type: 'input',
    position: { x: entry.x, y: top - 120 },
    deletable: false,
    draggable: false,
    data: {
      label: (
        <div data-testid="journey-trigger">
          <Text size="xs" fw={700}>
            Trigger
          </Text>
          <Text size="xs" c="dimmed">
            {describeTrigger(journey.trigger)}
          </Text>
        </div>
      ),
    },
    style: { width: 220 },
  };
}

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

function Builder({ detail, id }: { detail: JourneyDetail; id: string }) {
  const initial = validateJourney(detail.draft);
  const [draft, setDraft] = useState<unknown>(detail.draft);
  // Issue 11 (h11b): the canvas shows the draft as long as its shape is a journey's, so a step
  // nobody reaches yet is drawn (and named by the validator) while it is being connected.
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const save = useSaveDraft(id);
  const act = useJourneyAction(id);
  const checked = useMemo(() => validateJourney(draft), [draft]);
  const shown: JourneyDefinition | null = checkJourneyDefinition.Check(draft)
    ? draft
    : initial.ok
      ? initial.journey
      : null;
  const issues: JourneyIssue[] = checked.ok ? [] : checked.issues;
  const canvas = useMemo(
    () => (shown ? toCanvas(shown, detail.nodes) : null),
    [shown, detail.nodes],
  );
  const stepNodes: Node[] = (canvas?.nodes ?? []).map((n) => ({
    id: n.id,
    type: n.type === 'exit' ? 'output' : 'default',
    position: n.position,
    data: { label: <NodeBox node={n} /> },
    style: { width: 220, borderColor: n.type === 'goal' ? 'teal' : undefined },
    selected: n.id === selected,
  }));
  const flowNodes = shown ? [triggerNode(shown), ...stepNodes] : stepNodes;
  const ids = new Set(stepNodes.map((n) => n.id));
  const entryEdge: Edge[] =
    shown && ids.has(shown.entry)
      ? [{ id: 'trigger:entry', source: TRIGGER_NODE, target: shown.entry, deletable: false }]
      : [];
  const flowEdges: Edge[] = [
    ...entryEdge,
    ...(canvas?.edges ?? [])
      // A link to a step that is not there is the validator's to name, not an arrow to draw.
      .filter((e) => ids.has(e.target))
      .map((e) => ({ ...e, animated: e.label !== '', deletable: false })),
  ];
  const selectedNode = shown?.nodes.find((n) => n.id === selected) ?? null;
  const update = (next: JourneyDefinition | unknown) => {
    setDraft(next);
    setDirty(true);
  };
  const onNodesChange = (changes: NodeChange[]) => {
    if (!shown) return;
    const moved = new Map<string, { x: number; y: number }>();
    const removed = new Set<string>();
    for (const change of changes) {
      if (change.type === 'remove') removed.add(change.id);
      if (change.type === 'position' && change.position)
        moved.set(change.id, {
          x: Math.round(change.position.x),
          y: Math.round(change.position.y),
        });
      if (change.type === 'select' && change.selected) setSelected(change.id);
    }
    if (removed.size > 0) {
      update([...removed].reduce(removeStep, shown));
      if (selected !== null && removed.has(selected)) setSelected(null);
      return;
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
  const onConnect = (connection: Connection) => {
    if (shown) update(connect(shown, connection.source, connection.target));
  };
  const add = (kind: (typeof STEP_KINDS)[number]) => {
    if (!shown) return;
    const added = addStep(shown, kind, selected);
    update(added.journey);
    setSelected(added.id);
  };
  const remove = () => {
    if (!shown || selected === null) return;
    update(removeStep(shown, selected));
    setSelected(null);
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
      <Group gap="xs" mb="xs">
        <Menu position="bottom-start">
          <Menu.Target>
            <Button size="xs" variant="light" disabled={!shown}>
              Add step
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {STEP_KINDS.map((kind) => (
              <Menu.Item key={kind} onClick={() => add(kind)}>
                {STEP_LABELS[kind]}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <Button
          size="xs"
          variant="default"
          color="red"
          disabled={selectedNode === null || (shown?.nodes.length ?? 0) < 2}
          onClick={remove}
        >
          Delete step
        </Button>
        <Text size="xs" c="dimmed">
          Drag from a step's lower handle to another step to connect them.
        </Text>
      </Group>
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
            onConnect={onConnect}
            deleteKeyCode={['Delete', 'Backspace']}
            fitView
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls />
          </ReactFlow>
        </Paper>
        <Paper withBorder p="md">
          {selectedNode && shown ? (
            <StepPanel key={selectedNode.id} draft={shown} node={selectedNode} onChange={update} />
          ) : (
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                Select a step to edit it, or add one. Changes are checked with the same validator
                the engine and the CLI use; publish makes the draft the next version (running
                enrolments finish on theirs).
              </Text>
              {shown ? (
                <NextStepSelect draft={shown} source={TRIGGER_NODE} onChange={update} />
              ) : null}
            </Stack>
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
