import { SegmentedControl } from '@mantine/core';
import { type PortalLanguage, setPortalLanguage, usePortalText } from './i18n';

/** English or Spanish for the portal's booking pages, kept in this browser. */
export function LanguageSwitch() {
  const { language, t } = usePortalText();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('language')}
      value={language}
      onChange={(v) => setPortalLanguage(v as PortalLanguage)}
      data={[
        { value: 'en', label: 'English' },
        { value: 'es', label: 'Español' },
      ]}
    />
  );
}
