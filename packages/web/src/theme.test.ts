import { DEFAULT_THEME } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import {
  contrastRatio,
  cssVariablesResolver,
  lightVariantTextColors,
  MIN_TEXT_CONTRAST,
  relativeLuminance,
  theme,
} from './theme';

const WHITE = '#ffffff';
const BLACK = '#000000';
const { colors } = DEFAULT_THEME;
const names = Object.keys(colors).filter((name) => name !== 'dark');

describe('contrast arithmetic', () => {
  it('matches the WCAG reference values', () => {
    expect(contrastRatio(WHITE, BLACK)).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', WHITE)).toBeCloseTo(4.48, 2);
    // The figures axe reported before this theme: dimmed grey on white, white on teal.
    expect(contrastRatio('#868e96', WHITE)).toBeCloseTo(3.32, 2);
    expect(contrastRatio(WHITE, '#12b886')).toBeCloseTo(2.55, 2);
    expect(relativeLuminance('#ffffff')).toBe(1);
  });
});

describe('the theme reads at WCAG 2.2 AA', () => {
  const shade = typeof theme.primaryShade === 'object' ? theme.primaryShade.light : undefined;
  const threshold = theme.luminanceThreshold ?? 0.3;
  const light: Record<string, string> = cssVariablesResolver({
    ...DEFAULT_THEME,
    ...theme,
  } as typeof DEFAULT_THEME).light;

  it.each(names)('filled %s: its text on its background, hovered or not', (name) => {
    if (shade === undefined) throw new Error('the theme sets no light primary shade');
    const background = colors[name]?.[shade] ?? '';
    expect(theme.autoContrast).toBe(true);
    const text = relativeLuminance(background) > threshold ? BLACK : WHITE;
    expect(contrastRatio(text, background)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    const hover = light[`--mantine-color-${name}-filled-hover`] ?? '';
    expect(contrastRatio(text, hover)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
  });

  it('links on white and on every light background (an alert with a link)', () => {
    const anchor = light['--mantine-color-anchor'] ?? '';
    for (const background of [WHITE, ...names.map((name) => colors[name]?.[1] ?? '')]) {
      expect(contrastRatio(anchor, background), background).toBeGreaterThanOrEqual(
        MIN_TEXT_CONTRAST,
      );
    }
  });

  it.each(names)(
    'light and subtle %s: its text on shade 1, on its hover (shade 2) and on white',
    (name) => {
      const text = light[`--mantine-color-${name}-light-color`] ?? '';
      // Mantine's light variant: shade 1 behind, shade 2 on hover (an active nav link hovered).
      for (const background of [colors[name]?.[1] ?? '', colors[name]?.[2] ?? '', WHITE]) {
        expect(contrastRatio(text, background), `on ${background}`).toBeGreaterThanOrEqual(
          MIN_TEXT_CONTRAST,
        );
      }
    },
  );

  it('dimmed text and placeholders on white and on the light grey surfaces', () => {
    for (const variable of ['--mantine-color-dimmed', '--mantine-color-placeholder']) {
      const text = light[variable] ?? '';
      for (const background of [WHITE, colors.gray[0], colors.gray[1]]) {
        expect(
          contrastRatio(text, background),
          `${variable} on ${background}`,
        ).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      }
    }
  });

  it('keeps every palette recognisable: only its darkest shade is deepened, and only as needed', () => {
    const deepened = lightVariantTextColors();
    expect(deepened.pink).toBe(colors.pink[9].toLowerCase());
    expect(deepened.yellow).not.toBe(colors.yellow[9].toLowerCase());
  });
});
