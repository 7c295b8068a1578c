import { useI18n } from 'vue-i18n';

const reducedMotion =
  typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

/**
 * The options every chart of the dashboard shares: sized by its container, no animation for
 * those who asked for reduced motion, numbers and dates in the interface's language. Spread
 * first into a chart's own options (called inside its `computed`, so a language switch redraws).
 */
export function useChartBase() {
  const { locale } = useI18n();
  return () => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: reducedMotion ? (false as const) : { duration: 250 },
    locale: locale.value === 'en' ? 'en-GB' : 'sv-SE',
  });
}
