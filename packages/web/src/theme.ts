import {
  Anchor,
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  darken,
  type MantineColorsTuple,
  Notification,
} from '@mantine/core';

/** WCAG 2.2 AA: normal-size text needs 4.5:1 against its background (1.4.3). */
export const MIN_TEXT_CONTRAST = 4.5;
/** Filled buttons and badges, and the primary colour's text, use this shade in light mode. */
const LIGHT_SHADE = 9;
/**
 * A filled background lighter than this relative luminance gets black text, a darker one white:
 * 0.179 is where both give the same contrast (√(1.05 × 0.05) − 0.05), so either choice reaches
 * at least 4.58:1.
 */
const LUMINANCE_THRESHOLD = 0.179;

function channel(hex: string, offset: number): number {
  const c = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2.2 definition). */
export function relativeLuminance(hex: string): number {
  const h = hex.replace('#', '');
  if (!/^[0-9a-f]{6}$/i.test(h)) throw new Error(`not a #rrggbb colour: ${hex}`);
  return 0.2126 * channel(h, 0) + 0.7152 * channel(h, 2) + 0.0722 * channel(h, 4);
}

/** The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (hi + 0.05) / (lo + 0.05);
}

function toHex(color: string): string {
  if (/^#[0-9a-f]{6}$/i.test(color)) return color.toLowerCase();
  const m = color.match(/^rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  if (!m) throw new Error(`cannot read colour ${color}`);
  return `#${m
    .slice(1, 4)
    .map((v) => Number(v).toString(16).padStart(2, '0'))
    .join('')}`;
}

/** `color` darkened in small steps until it reaches `ratio` against every one of `backgrounds`. */
export function darkenUntil(color: string, backgrounds: readonly string[], ratio: number): string {
  const enough = (c: string) => backgrounds.every((b) => contrastRatio(c, b) >= ratio);
  let result = toHex(color);
  for (let amount = 0.02; !enough(result) && amount < 1; amount += 0.02) {
    result = toHex(darken(color, amount));
  }
  return result;
}

/**
 * The text colour of each palette's light and subtle variants (a badge's label, a subtle
 * button's, an active nav link's): Mantine's shade 9 on shade 1 is 4.3:1 for teal and 2.7:1 for
 * yellow, so each is darkened until it reads at 4.6:1 on the light background and on its hover
 * background, shade 2 (an active nav link under the pointer was 4.06:1), and so on white.
 */
export function lightVariantTextColors(
  colors: Record<string, MantineColorsTuple> = DEFAULT_THEME.colors,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, shades] of Object.entries(colors)) {
    result[name] = darkenUntil(shades[9], [shades[1], shades[2]], MIN_TEXT_CONTRAST + 0.1);
  }
  return result;
}

/** Whether a filled background of this colour gets black text (`autoContrast`), not white. */
export function takesBlackText(background: string): boolean {
  return relativeLuminance(background) > LUMINANCE_THRESHOLD;
}

/**
 * The hover background of each filled colour: Mantine lightens shade 9 to shade 8 (white on
 * teal 8 is 3.9:1), so where the text is white the hover darkens instead; where it is black,
 * shade 8 is lighter still and reads better.
 */
export function filledHoverColors(
  colors: Record<string, MantineColorsTuple> = DEFAULT_THEME.colors,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, shades] of Object.entries(colors)) {
    const filled = shades[LIGHT_SHADE];
    result[name] = takesBlackText(filled) ? shades[8] : toHex(darken(filled, 0.15));
  }
  return result;
}

/**
 * Links (teal) read on white and on every light-variant background they may sit on, an alert's
 * among them (teal 9 on red 1 is 4.1:1).
 */
export function anchorColor(colors: Record<string, MantineColorsTuple> = DEFAULT_THEME.colors) {
  const backgrounds = ['#ffffff', ...Object.values(colors).map((shades) => shades[1])];
  return darkenUntil(DEFAULT_THEME.colors.teal[9], backgrounds, MIN_TEXT_CONTRAST + 0.1);
}

const LIGHT_TEXT = lightVariantTextColors();
const FILLED_HOVER = filledHoverColors();
const gray = DEFAULT_THEME.colors.gray;

/**
 * The colours Mantine's light scheme derives for text, overridden where they fall below 4.5:1:
 * dimmed text (gray 6 on white is 3.3:1), placeholders, the error colour (red 6: 3.3:1), links,
 * each palette's light-variant text and filled hover.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': gray[7],
    '--mantine-color-placeholder': gray[7],
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-anchor': anchorColor(),
    ...Object.fromEntries(
      Object.entries(LIGHT_TEXT).map(([name, hex]) => [`--mantine-color-${name}-light-color`, hex]),
    ),
    ...Object.fromEntries(
      Object.entries(FILLED_HOVER).map(([name, hex]) => [
        `--mantine-color-${name}-filled-hover`,
        hex,
      ]),
    ),
  },
  dark: {},
});

/**
 * The one theme of the console and the portal, contrast-safe (WCAG 2.2 AA) by construction:
 * filled colours at shade 9 with black or white text, whichever reads better; the text colours
 * above; links underlined; wide tables scroll in a box the keyboard reaches (and theme.css). Pages use `c="dimmed"`, `color="red"` and the like and inherit all of it.
 */
export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: { light: LIGHT_SHADE, dark: 8 },
  autoContrast: true,
  luminanceThreshold: LUMINANCE_THRESHOLD,
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    // A link in running text must not be told from the text by colour alone (WCAG 1.4.1).
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // A notification's close button is an icon: it needs a name (WCAG 4.1.2; axe button-name).
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } },
    }),
    // A table wider than a phone scrolls in its own box: the box takes focus, so the arrow keys
    // scroll it when it holds nothing else to focus (WCAG 2.1.1; axe scrollable-region-focusable).
    TableScrollContainer: { defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } },
  },
});
