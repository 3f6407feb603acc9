// The medical green channel's card, the message a resident shows at the hospital desk: its title and its
// promise follow the kind of care (emergency, hospital stay, outpatient visit). Shown after submission and
// again from the resident's case view (features/cases.ts).
import type { CaseCard } from '../app/cases.ts';
import { beijingInstant } from '../domain/beijing-time.ts';
import { spokenDay } from './format-time.ts';
import type { TFunction } from './i18n.ts';

export function hospitalCardText(t: TFunction, serviceCode: string, card: CaseCard, now: Date): string {
  const key = `services:${serviceCode}.card`;
  const care = card.careType ?? 'general';
  return [
    t(`${key}.title`, { care: t(`${key}.care.${care}`) }),
    t(`${key}.body`, {
      number: card.number,
      patient: card.patientName,
      idNumber: card.idNumberMasked ?? '—',
      hospital: card.hospital,
      date: spokenDay(beijingInstant(card.date, 12), now, t, { relative: false }),
    }),
    '',
    t(`${key}.how.${care}`),
    t(`${key}.show`),
  ].join('\n');
}
