import {
  JOURNEY_STAGES,
  type JourneyStage,
  TOUCHPOINT_CHANNELS,
  type Touchpoint,
  type TouchpointChannel,
} from '@careloop/core';
import { Badge, Group, Select, Text, Timeline, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { formatDateTime, formatRelative } from '../../ui/format';
import { LoadMore } from '../../ui/LoadMore';
import {
  CHANNEL_LABELS,
  ChannelIcon,
  optionsOf,
  STAGE_COLORS,
  STAGE_LABELS,
} from '../../ui/labels';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../../ui/states';
import { useTimeline } from '../api';

const DIRECTION_LABELS = {
  inbound: 'from patient',
  outbound: 'to patient',
  internal: 'internal',
} as const;

function TouchpointRow({ touchpoint: t }: { touchpoint: Touchpoint }) {
  return (
    <div>
      <Group gap="xs" wrap="wrap">
        <Text fw={500} size="sm">
          {t.summary}
        </Text>
        <Badge size="sm" variant="light" color={STAGE_COLORS[t.stage]}>
          {STAGE_LABELS[t.stage]}
        </Badge>
        {t.outcome ? (
          <Badge size="sm" variant="outline" color="gray">
            {t.outcome}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed">
        {CHANNEL_LABELS[t.channel]} · {DIRECTION_LABELS[t.direction]} · {t.type} · {t.sourceSystem}
      </Text>
      <Tooltip label={formatDateTime(t.occurredAt)} withArrow>
        <Text size="xs" c="dimmed" component="time" dateTime={t.occurredAt}>
          {formatDateTime(t.occurredAt)} ({formatRelative(t.occurredAt)})
        </Text>
      </Tooltip>
    </div>
  );
}

/** Every interaction with the patient, newest first, across channels and journey stages. */
export function TimelineTab({ patientId }: { patientId: string }) {
  const [channel, setChannel] = useState<TouchpointChannel | null>(null);
  const [stage, setStage] = useState<JourneyStage | null>(null);
  const timeline = useTimeline(patientId, {
    channel: channel ?? undefined,
    stage: stage ?? undefined,
    limit: 25,
  });

  return (
    <>
      <Group mb="md" gap="sm">
        <Select
          label="Channel"
          placeholder="All channels"
          clearable
          data={optionsOf(TOUCHPOINT_CHANNELS, CHANNEL_LABELS)}
          value={channel}
          onChange={(value) => setChannel(TOUCHPOINT_CHANNELS.find((c) => c === value) ?? null)}
          w={180}
        />
        <Select
          label="Stage"
          placeholder="All stages"
          clearable
          data={optionsOf(JOURNEY_STAGES, STAGE_LABELS)}
          value={stage}
          onChange={(value) => setStage(JOURNEY_STAGES.find((s) => s === value) ?? null)}
          w={180}
        />
      </Group>
      {timeline.isPending ? (
        <LoadingRows label="Loading timeline" />
      ) : timeline.isError && timeline.items.length === 0 ? (
        <ErrorMessage
          error={timeline.error}
          onRetry={() => timeline.refetch()}
          title="Could not load the timeline"
        />
      ) : timeline.items.length === 0 ? (
        <EmptyMessage
          title="No touchpoints"
          description={
            channel || stage
              ? 'Nothing matches these filters.'
              : 'Nothing has happened with this patient yet.'
          }
        />
      ) : (
        <>
          <Timeline
            bulletSize={28}
            lineWidth={2}
            style={{ opacity: timeline.isPlaceholderData ? 0.6 : 1 }}
          >
            {timeline.items.map((touchpoint) => (
              <Timeline.Item
                key={touchpoint.id}
                data-testid="touchpoint"
                bullet={<ChannelIcon channel={touchpoint.channel} size={14} />}
              >
                <TouchpointRow touchpoint={touchpoint} />
              </Timeline.Item>
            ))}
          </Timeline>
          <LoadMore
            hasNextPage={timeline.hasNextPage}
            isFetchingNextPage={timeline.isFetchingNextPage}
            fetchNextPage={timeline.fetchNextPage}
            label="Load older"
          />
        </>
      )}
    </>
  );
}
