import type {
  AppointmentStatus,
  Channel,
  JourneyStage,
  Purpose,
  Role,
  TaskPriority,
  TaskStatus,
  TouchpointChannel,
} from '@careloop/core';
import {
  IconBrowser,
  IconBuildingHospital,
  IconDeviceLaptop,
  IconMail,
  IconMailbox,
  IconMessage,
  IconPhone,
  IconRobot,
  IconVideo,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';

export const CHANNEL_LABELS: Record<TouchpointChannel, string> = {
  email: 'Email',
  sms: 'SMS',
  phone: 'Phone',
  portal: 'Portal',
  mail: 'Mail',
  'in-person': 'In person',
  telehealth: 'Telehealth',
  web: 'Web',
  system: 'System',
};

export function channelLabel(channel: TouchpointChannel | Channel | null): string {
  return channel ? CHANNEL_LABELS[channel] : '—';
}

export function ChannelIcon({ channel, size = 16 }: { channel: TouchpointChannel; size?: number }) {
  const icons: Record<TouchpointChannel, ReactNode> = {
    email: <IconMail size={size} />,
    sms: <IconMessage size={size} />,
    phone: <IconPhone size={size} />,
    portal: <IconDeviceLaptop size={size} />,
    mail: <IconMailbox size={size} />,
    'in-person': <IconBuildingHospital size={size} />,
    telehealth: <IconVideo size={size} />,
    web: <IconBrowser size={size} />,
    system: <IconRobot size={size} />,
  };
  return icons[channel];
}

export const PURPOSE_LABELS: Record<Purpose, string> = {
  'treatment-reminders': 'Treatment reminders',
  'care-follow-up': 'Care follow-up',
  marketing: 'Marketing',
};

export const STAGE_LABELS: Record<JourneyStage, string> = {
  awareness: 'Awareness',
  scheduling: 'Scheduling',
  'pre-visit': 'Pre-visit',
  visit: 'Visit',
  'post-visit': 'Post-visit',
  'follow-up': 'Follow-up',
  billing: 'Billing',
};

export const STAGE_COLORS: Record<JourneyStage, string> = {
  awareness: 'grape',
  scheduling: 'blue',
  'pre-visit': 'cyan',
  visit: 'teal',
  'post-visit': 'green',
  'follow-up': 'lime',
  billing: 'orange',
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  'front-desk': 'Front desk',
  'care-coordinator': 'Care coordinator',
  clinician: 'Clinician',
  marketer: 'Marketer',
  analyst: 'Analyst',
  patient: 'Patient',
};

export const SEX_LABELS = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  unknown: 'Unknown',
} as const;

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
};

export const TASK_PRIORITY_LABELS: Record<TaskPriority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const TASK_PRIORITY_COLORS: Record<TaskPriority, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  proposed: 'Requested',
  booked: 'Booked',
  arrived: 'Arrived',
  fulfilled: 'Fulfilled',
  cancelled: 'Cancelled',
  noshow: 'No-show',
};

export const APPOINTMENT_STATUS_COLORS: Record<AppointmentStatus, string> = {
  proposed: 'gray',
  booked: 'blue',
  arrived: 'cyan',
  fulfilled: 'green',
  cancelled: 'dark',
  noshow: 'red',
};

/** Options for a Select from a closed list and its labels. */
export function optionsOf<T extends string>(
  values: readonly T[],
  labels: Record<T, string>,
): { value: T; label: string }[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

// Languages a US clinic most often records; shown with the browser's own names for them.
const COMMON_LANGUAGES = [
  'en',
  'es',
  'zh',
  'vi',
  'tl',
  'ko',
  'ar',
  'ru',
  'fr',
  'ht',
  'pt',
  'de',
  'hi',
  'pl',
  'ja',
];
const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

export function languageLabel(code: string): string {
  try {
    return languageNames.of(code) ?? code;
  } catch {
    // Not a well-formed BCP 47 tag (free text from an import): show it as it was stored.
    return code;
  }
}

export function languageOptions(current?: string | null): { value: string; label: string }[] {
  const codes =
    current && !COMMON_LANGUAGES.includes(current)
      ? [...COMMON_LANGUAGES, current]
      : COMMON_LANGUAGES;
  return codes.map((value) => ({ value, label: languageLabel(value) }));
}
