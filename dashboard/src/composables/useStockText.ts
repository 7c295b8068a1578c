import { useI18n } from 'vue-i18n';
import { useFormat } from './useFormat';

/** "1 dos", "12 doser", "+5 doser", "−3 doser": amounts of stock in words, sv-SE numbers. */
export function useStockText() {
  const { t } = useI18n();
  const fmt = useFormat();
  const doses = (n: number) => t('stock.doses', { n: fmt.number(n) }, Math.abs(n));
  return {
    doses,
    vials: (n: number) => t('stock.vials', { n: fmt.number(n) }, Math.abs(n)),
    /** A change, always with its sign (a typographic minus, as sv-SE numbers use). */
    signedDoses: (n: number) =>
      `${n > 0 ? '+' : n < 0 ? '−' : '±'}${t('stock.doses', { n: fmt.number(Math.abs(n)) }, Math.abs(n))}`,
  };
}
