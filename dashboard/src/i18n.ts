import { createI18n } from 'vue-i18n';
import en from './locales/en.json';
import sv from './locales/sv.json';

export type AppLocale = 'sv' | 'en';
export const LOCALES: readonly AppLocale[] = ['sv', 'en'];

/** Intl locale per UI language: Swedish formats as sv-SE; English uses day-month order and 24h. */
export const INTL_LOCALE: Record<AppLocale, string> = { sv: 'sv-SE', en: 'en-GB' };

const STORAGE_KEY = 'vaxops.locale';

function initialLocale(): AppLocale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'sv' || saved === 'en') return saved;
  } catch {
    // storage unavailable: Swedish
  }
  return 'sv';
}

export type MessageSchema = typeof sv;

export function createAppI18n(locale: AppLocale = initialLocale()) {
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'sv',
    messages: { sv, en },
    // Messages live in JSON we control; HTML in them is never rendered with v-html.
    warnHtmlMessage: false,
  });
}

export function rememberLocale(locale: AppLocale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered; harmless
  }
  document.documentElement.lang = locale;
}
