import { describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '../auth/roles.js';
import { isTeam, TEAMS, teamReadsTaskTitles, teamsOf } from './teams.js';

describe('team queues', () => {
  it('gives each task-handling role its own queue and admins every queue', () => {
    expect(teamsOf('front-desk')).toEqual(['front-desk']);
    expect(teamsOf('care-coordinator')).toEqual(['care-coordination']);
    expect(teamsOf('clinician')).toEqual(['clinical']);
    expect(teamsOf('admin')).toEqual(TEAMS);
  });

  it('leaves roles without tasks and patients out of every queue', () => {
    expect(teamsOf('marketer')).toEqual([]);
    expect(teamsOf('analyst')).toEqual([]);
    expect(teamsOf('patient')).toEqual([]);
  });

  it('has every team worked by at least one staff role other than admin', () => {
    const worked = new Set(STAFF_ROLES.filter((r) => r !== 'admin').flatMap((r) => teamsOf(r)));
    expect([...worked].sort()).toEqual([...TEAMS].sort());
    expect(isTeam('nursing')).toBe(false);
    expect(isTeam('front-desk')).toBe(true);
  });

  it('knows which queues are worked by roles that may not read clinical task titles', () => {
    expect(teamReadsTaskTitles('front-desk')).toBe(false);
    expect(teamReadsTaskTitles('clinical')).toBe(true);
    expect(teamReadsTaskTitles('care-coordination')).toBe(true);
  });
});
