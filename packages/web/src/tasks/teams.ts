import type { Team } from '@careloop/core';

export const TEAM_LABELS: Record<Team, string> = {
  'front-desk': 'Front desk',
  'care-coordination': 'Care coordination',
  clinical: 'Clinical team',
};
