import { dayOf, nextWeekday, yearOf } from '../calendar.js';
import type { Draw } from './context.js';
import type { Tell } from './events.js';
import type { Person } from './person.js';
import { allowed } from './reach.js';

/**
 * The marketing a patient opted into: each autumn's flu-shot email, October's mammography
 * email for women 40–74, and one text announcing same-day telehealth.
 */
export function tellCampaigns(draw: Draw, person: Person, tell: Tell): void {
  const { rng, ctx } = draw;
  const clock = person.clinic.clock;
  const from = Math.max(person.registeredDay, ctx.anchorDay - 1095);
  const email = person.reach.email !== null && allowed(person.reach, 'email', 'marketing');
  const outcome = () =>
    rng.weighted([
      ['delivered', 64],
      ['opened', 30],
      ['clicked', 6],
    ]);
  for (let year = yearOf(from); year <= yearOf(ctx.anchorDay); year++) {
    const sept = nextWeekday(dayOf(year, 9, 20));
    if (email && sept >= from) {
      tell({
        at: clock.at(sept, 10 * 60),
        channel: 'email',
        direction: 'outbound',
        type: 'campaign.email',
        stage: 'awareness',
        source: 'careloop',
        outcome: outcome(),
        summary: `Flu shots are here: book yours for the ${year} season`,
        subject: { type: 'campaign', id: null },
      });
    }
    const oct = nextWeekday(dayOf(year, 10, 6));
    if (
      email &&
      person.bodySex === 'female' &&
      person.age >= 40 &&
      person.age <= 74 &&
      oct >= from
    ) {
      tell({
        at: clock.at(oct, 10 * 60),
        channel: 'email',
        direction: 'outbound',
        type: 'campaign.email',
        stage: 'awareness',
        source: 'careloop',
        outcome: outcome(),
        summary: 'Breast Cancer Awareness Month: schedule your screening mammogram',
        subject: { type: 'campaign', id: null },
      });
    }
  }
  const launch = nextWeekday(ctx.anchorDay - 200);
  if (person.reach.mobile && allowed(person.reach, 'sms', 'marketing') && launch >= from) {
    tell({
      at: clock.at(launch, 11 * 60),
      channel: 'sms',
      direction: 'outbound',
      type: 'campaign.sms',
      stage: 'awareness',
      source: 'careloop',
      outcome: rng.chance(0.08) ? 'clicked' : 'delivered',
      summary: 'Same-day telehealth visits are now available. Reply STOP to opt out.',
      subject: { type: 'campaign', id: null },
    });
  }
}
