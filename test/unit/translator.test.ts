// The translator remembers texts asked for without options; it must answer exactly as i18next does.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { createTranslator, readLocaleResources } from '../../src/bot/i18n.ts';

describe('the translator', () => {
  const plain = i18next.createInstance();
  void plain.init({
    resources: readLocaleResources(),
    lng: 'zh-CN',
    fallbackLng: 'zh-CN',
    ns: Object.keys(readLocaleResources()['zh-CN']),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    initAsync: false,
  });

  it('gives the same texts as i18next, asked once or many times, per language', () => {
    const translator = createTranslator();
    for (const locale of ['zh-CN', 'en'] as const) {
      const t = translator.t(locale);
      const expected = plain.getFixedT(locale);
      for (let i = 0; i < 3; i++) {
        expect(t('registration:ask.name')).toBe(expected('registration:ask.name'));
        expect(t('errors.generic')).toBe(expected('errors.generic'));
      }
    }
    expect(translator.t('zh-CN')('registration:ask.name')).not.toBe(
      translator.t('en')('registration:ask.name'),
    );
  });

  it('fills in options every time, never from what it remembered', () => {
    const t = createTranslator().t('zh-CN');
    expect(t('registration:unit_label', { unit: 1 })).toContain('1');
    expect(t('registration:unit_label', { unit: 2 })).toContain('2');
    expect(t('registration:unit_label', { unit: 2 })).not.toContain('1');
    expect(t('form:step', { n: 3, total: 11 })).toBe(
      plain.getFixedT('zh-CN')('form:step', { n: 3, total: 11 }),
    );
    expect(t('form:step', { n: 4, total: 11 })).toBe(
      plain.getFixedT('zh-CN')('form:step', { n: 4, total: 11 }),
    );
    // Text options (a masked ID here) are filled in afresh each time.
    expect(t('registration:id_received', { masked: '5222**********1234' })).toContain('5222**********1234');
    expect(t('registration:id_received', { masked: '4401**********0011' })).toContain('4401**********0011');
    // Numbers too big to be a counter, or not whole, are not remembered either: still right.
    expect(t('registration:unit_label', { unit: 123456 })).toContain('123456');
    expect(t('registration:unit_label', { unit: 1.5 })).toContain('1.5');
  });

  it('a missing key falls back to Chinese, then to the key, as before', () => {
    const t = createTranslator({ 'zh-CN': { extra: { only_zh: '只有中文' } } }).t('en');
    expect(t('extra:only_zh')).toBe('只有中文');
    expect(t('extra:only_zh')).toBe('只有中文');
  });
});
