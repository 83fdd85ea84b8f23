import type { Team } from '@careloop/core';

/**
 * What the demo's inbox holds (issue 11): conversations as a patient and the front desk would
 * write them, with no clinical detail beyond what a patient would say. `at` is minutes before
 * the thread's last message; `by` names who wrote it (`patient`, a staff reply, or a `note`
 * with the coordinator @mentioned).
 */
export interface ConversationLine {
  by: 'patient' | 'staff' | 'note' | 'mention';
  text: string;
  /** Minutes before the conversation's last line. */
  at: number;
}

export interface ConversationScript {
  channel: 'sms' | 'portal';
  team: Team;
  /** Closed by staff after the last line; otherwise open (patient wrote last) or pending. */
  closed: boolean;
  /** The demo sign-in it is assigned to, if any. */
  assignee: 'front-desk' | 'care-coordinator' | null;
  lines: readonly ConversationLine[];
}

const p = (text: string, at = 0): ConversationLine => ({ by: 'patient', text, at });
const s = (text: string, at = 0): ConversationLine => ({ by: 'staff', text, at });
const n = (text: string, at = 0): ConversationLine => ({ by: 'note', text, at });
const m = (text: string, at = 0): ConversationLine => ({ by: 'mention', text, at });

export const DEMO_CONVERSATIONS: readonly ConversationScript[] = [
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: null,
    lines: [p('Hi, can I move my Tuesday appointment to later in the week?')],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: true,
    assignee: 'front-desk',
    lines: [
      p('Running 10 minutes late, sorry!', 6),
      s('Thanks for letting us know. See you soon.', 4),
      p('Thank you', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'care-coordination',
    closed: false,
    assignee: 'care-coordinator',
    lines: [
      p('Do I need to fast before my visit?', 30),
      m('Asked about fasting before the visit. Can you confirm the instructions?', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: 'front-desk',
    lines: [
      p('Is there parking at the clinic?', 25),
      s('Yes, free parking behind the building. Reply if you need directions.', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: null,
    lines: [p('What time do you open on Saturday?')],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: true,
    assignee: 'front-desk',
    lines: [p('Got the reminder, I will be there.', 3), s('Great, thank you for confirming.', 0)],
  },
  {
    channel: 'sms',
    team: 'care-coordination',
    closed: false,
    assignee: null,
    lines: [p('Who do I talk to about my bill from last month?')],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: 'front-desk',
    lines: [
      p('Can my daughter come in with me to the appointment?', 40),
      s('Of course, a family member is welcome to join you.', 20),
      p('Perfect, thanks', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: null,
    lines: [p('Please call me back when you can, I need to reschedule.')],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: true,
    assignee: null,
    lines: [
      p('Can you send me the address again?', 12),
      s('We sent the address and a map link by text. Reply if you need anything else.', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'front-desk',
    closed: false,
    assignee: null,
    lines: [
      p('Is my appointment still on for tomorrow with the snow?', 15),
      n('Clinic opens on time tomorrow unless we announce otherwise.', 5),
      s('Yes, we are open as usual. Drive safely!', 0),
    ],
  },
  {
    channel: 'sms',
    team: 'care-coordination',
    closed: false,
    assignee: 'care-coordinator',
    lines: [
      p('I missed a call from your office this morning, what was it about?', 60),
      n('Returning the outreach call from this morning; left a voicemail.', 30),
      p('Sorry, I can talk after 5pm today', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'front-desk',
    closed: false,
    assignee: 'front-desk',
    lines: [
      p('I got a new insurance card this month. Do I need to bring it to my next visit?', 90),
      s('Yes please, bring it along and we will scan it at check-in.', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'front-desk',
    closed: true,
    assignee: 'front-desk',
    lines: [
      p('Where do I find the forms I should fill out before my first visit?', 180),
      s('You can find them under Pre-registration in the portal.', 120),
      p('Found them, thanks!', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'care-coordination',
    closed: false,
    assignee: 'care-coordinator',
    lines: [
      p('Did you receive the referral letter from my other doctor?', 50),
      n('Checking with records whether the letter arrived.', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'clinical',
    closed: false,
    assignee: null,
    lines: [p('Can I get a refill of my regular prescription before I travel next month?')],
  },
  {
    channel: 'portal',
    team: 'clinical',
    closed: false,
    assignee: null,
    lines: [p('Are my results from last week ready to view?')],
  },
  {
    channel: 'portal',
    team: 'front-desk',
    closed: true,
    assignee: null,
    lines: [
      p('I moved recently. How do I update my address?', 200),
      s('You can change it under My profile, or tell us at your next visit.', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'front-desk',
    closed: false,
    assignee: 'front-desk',
    lines: [
      p('I cannot find the link for my video visit.', 35),
      s('The link is in your confirmation email and on the Appointments page of the portal.', 0),
    ],
  },
  {
    channel: 'portal',
    team: 'care-coordination',
    closed: false,
    assignee: null,
    lines: [
      p('Could someone help me set up my annual physical and my flu shot on the same day?', 70),
      m('Can you find a morning that works for both?', 0),
    ],
  },
];
