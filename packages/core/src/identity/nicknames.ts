// Common English given-name variants. A pair listed here compares as `similar`, like a typo:
// it is evidence, not proof, of the same person.
const GROUPS: readonly (readonly string[])[] = [
  ['william', 'bill', 'billy', 'will', 'willy', 'liam'],
  ['robert', 'bob', 'bobby', 'rob', 'robbie', 'bert'],
  ['richard', 'rick', 'ricky', 'dick', 'rich'],
  ['james', 'jim', 'jimmy', 'jamie'],
  ['john', 'jack', 'johnny', 'jon'],
  ['michael', 'mike', 'mikey', 'mick'],
  ['thomas', 'tom', 'tommy'],
  ['joseph', 'joe', 'joey'],
  ['charles', 'charlie', 'chuck', 'chas'],
  ['christopher', 'chris', 'kit'],
  ['daniel', 'dan', 'danny'],
  ['anthony', 'tony'],
  ['nicholas', 'nick', 'nicky'],
  ['edward', 'ed', 'eddie', 'ted', 'ned'],
  ['henry', 'hank', 'harry'],
  ['lawrence', 'larry'],
  ['matthew', 'matt'],
  ['andrew', 'andy', 'drew'],
  ['benjamin', 'ben', 'benny'],
  ['samuel', 'sam', 'sammy'],
  ['alexander', 'alex', 'sandy', 'xander'],
  ['steven', 'stephen', 'steve'],
  ['timothy', 'tim', 'timmy'],
  ['gregory', 'greg'],
  ['jeffrey', 'geoffrey', 'jeff', 'geoff'],
  ['patrick', 'pat', 'paddy'],
  ['peter', 'pete'],
  ['elizabeth', 'liz', 'beth', 'betty', 'eliza', 'lisa', 'libby'],
  ['margaret', 'peggy', 'maggie', 'meg', 'marge'],
  ['katherine', 'catherine', 'kathryn', 'kate', 'katie', 'kathy', 'cathy', 'kat'],
  ['jennifer', 'jen', 'jenny'],
  ['patricia', 'pat', 'patty', 'trish'],
  ['susan', 'sue', 'susie'],
  ['deborah', 'debra', 'debbie', 'deb'],
  ['rebecca', 'becky', 'becca'],
  ['jessica', 'jess', 'jessie'],
  ['victoria', 'vicky', 'tori'],
  ['alexandra', 'alex', 'sandra', 'sandy', 'lexi'],
  ['christine', 'christina', 'chris', 'tina'],
  ['dorothy', 'dot', 'dottie'],
  ['barbara', 'barb', 'babs'],
  ['abigail', 'abby'],
  ['samantha', 'sam', 'sammy'],
  ['kimberly', 'kim'],
  ['jacqueline', 'jackie'],
];

const VARIANTS = new Map<string, Set<string>>();
for (const group of GROUPS) {
  for (const name of group) {
    const set = VARIANTS.get(name) ?? new Set<string>();
    for (const other of group) if (other !== name) set.add(other);
    VARIANTS.set(name, set);
  }
}

/** True when one name is a listed nickname or variant of the other. */
export function areNameVariants(a: string, b: string): boolean {
  return VARIANTS.get(a)?.has(b) ?? false;
}
