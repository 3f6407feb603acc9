// /mydata (a file of everything held about the resident and their household, sent as a document) and
// /deleteme (with a confirmation: erases their personal data and household file, keeps anonymised case
// figures). The file holds full ID numbers and phones — it is the owner's own copy, sent only to the owner's
// private chat, and the export is audited; on screen nothing is ever shown unmasked.
import { Composer, InlineKeyboard, InputFile } from 'grammy';
import type { MyData } from '../../app/privacy.ts';
import type { Locale } from '../../config.ts';
import { onButton, privacyButtons } from '../buttons.ts';
import type { BotContext } from '../context.ts';
import { compactTime, labelledTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';
import { addressVars, memberLines } from './household.ts';
import { clearButtons, onKeep } from './shared.ts';

/** The text of the /mydata file, in the resident's language. */
export function renderMyData(d: MyData, t: TFunction, locale: Locale): string {
  const at = (iso: string) => compactTime(iso, t);
  const label = (key: string, fallback: string) => t(key, { defaultValue: fallback });
  const lines: string[] = [
    t('privacy:mydata.title'),
    t('privacy:mydata.generated', { at: labelledTime(d.generatedAt, t) }),
    '',
  ];

  lines.push(t('privacy:mydata.account_title'));
  if (d.account) {
    lines.push(t('privacy:mydata.telegram_id', { id: d.account.telegramId }));
    lines.push(t('privacy:mydata.language', { language: locale === 'en' ? 'English' : '中文' }));
    lines.push(t('privacy:mydata.first_seen', { at: at(d.account.firstSeenAt) }));
    if (!d.account.reachable) lines.push(t('privacy:mydata.unreachable'));
  }
  lines.push('');

  lines.push(t('privacy:mydata.resident_title'));
  if (d.resident) {
    const r = d.resident;
    lines.push(
      t('privacy:mydata.name', { name: r.name }),
      t('privacy:mydata.phone', { phone: r.phone }),
      t('privacy:mydata.id_number', { idNumber: r.idNumber }),
      t('privacy:mydata.birth', { birthDate: r.birthDate, sex: t(`common:sex.${r.sex}`) }),
      t('privacy:mydata.consent', { at: at(r.consentAt), version: r.consentVersion }),
      t('privacy:mydata.registered_at', { at: at(r.registeredAt) }),
    );
  } else {
    lines.push(t('privacy:mydata.not_registered'));
  }
  lines.push('');

  if (d.household) {
    const h = d.household;
    lines.push(t('privacy:mydata.household_title'));
    lines.push(t('privacy:mydata.address', addressVars(locale, h)));
    if (h.members.length === 0) lines.push(t('privacy:mydata.no_members'));
    else lines.push(t('privacy:mydata.members_title', { count: h.members.length }));
    lines.push(
      ...memberLines(t, h.members, 'privacy:mydata.member', (m) => m.idNumber, 'privacy:mydata.no_id'),
    );
    lines.push('');
  }
  if (d.resident) {
    const word = (s: string | null) => (s ? t(`employment:status.${s}`) : t('employment:unknown'));
    lines.push(
      t('employment:title'),
      t('employment:line', { name: d.resident.name, status: word(d.resident.employmentStatus) }),
      ...(d.household?.members ?? []).map((m) =>
        t('employment:line', { name: m.name, status: word(m.employmentStatus) }),
      ),
      '',
    );
  }

  lines.push(t('privacy:mydata.cases_title', { count: d.cases.length }));
  if (d.cases.length === 0) lines.push(t('privacy:mydata.no_cases'));
  for (const c of d.cases) {
    lines.push(
      t('privacy:mydata.case', {
        number: c.number,
        service: label(`services:${c.serviceCode}.name`, c.serviceCode),
        status: label(`mycases:status.${c.status}`, c.status),
        urgent: `${c.urgent ? t('mycases:urgent') : ''}${c.anonymous ? t('privacy:mydata.case_anonymous') : ''}`,
      }),
      t('privacy:mydata.case_dates', { submittedAt: at(c.submittedAt), dueAt: at(c.dueAt) }),
    );
    if (c.closedAt) lines.push(t('privacy:mydata.case_closed', { at: at(c.closedAt) }));
    for (const a of c.answers) {
      lines.push(
        t('privacy:mydata.answer', {
          field: label(`services:${c.serviceCode}.fields.${a.stepId}`, a.stepId),
          answer: a.answer + (a.files > 0 ? t('privacy:mydata.answer_files', { count: a.files }) : ''),
        }),
      );
    }
    if (c.people.length > 0) {
      lines.push(t('privacy:mydata.case_people'));
      for (const p of c.people)
        lines.push(
          t('privacy:mydata.case_person', {
            name: p.name,
            relation: t(p.relation === 'self' ? 'answers:self' : `common:relation.${p.relation}`, {
              defaultValue: p.relation,
            }),
            birthDate: p.birthDate,
          }),
        );
    }
    if (c.attachments.length > 0)
      lines.push(t('privacy:mydata.attachments', { count: c.attachments.length }));
    if (c.jobs.length > 0) lines.push(t('jobs:staff_title', { count: c.jobs.length }));
    for (const j of c.jobs)
      lines.push(t('jobs:staff_line', { ...j, interest: j.interestedAt ? t('jobs:mydata_interested') : '' }));
    if (c.history.length > 0) {
      lines.push(t('privacy:mydata.history'));
      for (const e of c.history) {
        lines.push(
          t('privacy:mydata.history_line', {
            at: at(e.at),
            what:
              t([`mycases:event.${e.kind}`, `mycases:status.${e.toStatus ?? 'submitted'}`]) +
              (e.note ? t('privacy:mydata.history_note', { note: e.note }) : ''),
          }),
        );
      }
    }
    if (c.rating !== null) {
      lines.push(
        t('privacy:mydata.rating', {
          rating: c.rating,
          comment: c.ratingComment ? t('privacy:mydata.history_note', { note: c.ratingComment }) : '',
        }),
      );
    }
    lines.push('');
  }
  if (d.cases.length === 0) lines.push('');

  lines.push(t('privacy:mydata.notifications_title', { count: d.notifications.length }));
  for (const n of d.notifications) {
    lines.push(
      t('privacy:mydata.notification', {
        at: at(n.createdAt),
        kind: n.kind,
        status: label(`privacy:mydata.notification_status.${n.status}`, n.status),
      }),
    );
  }
  lines.push('');

  lines.push(t('privacy:mydata.notices_title', { count: d.notices.length }));
  for (const n of d.notices) {
    const text = (n.text ?? '').replace(/\s+/g, ' ');
    lines.push(
      t('privacy:mydata.notice', {
        at: at(n.at),
        important: n.important ? t('privacy:mydata.notice_important') : '',
        text: text.length > 40 ? `${text.slice(0, 40)}…` : text,
      }),
      t('privacy:mydata.notice_status', {
        status: label(`privacy:mydata.notice_delivery.${n.status}`, n.status),
        read: n.readAt ? t('privacy:mydata.notice_read', { at: at(n.readAt) }) : '',
      }),
    );
  }
  lines.push(
    d.noticesMutedAt === null
      ? t('privacy:mydata.notices_on')
      : t('privacy:mydata.notices_muted', { at: at(d.noticesMutedAt) }),
    '',
  );

  const p = d.pendingRegistration;
  if (p) {
    lines.push(
      t('privacy:mydata.pending_title', { at: at(p.submittedAt) }),
      t('privacy:mydata.pending_person', { name: p.name, phone: p.phone, idNumber: p.idNumber }),
      t('privacy:mydata.pending_address', { unit: p.unit, room: p.room }),
      '',
    );
  }

  lines.push(t('privacy:mydata.audit_title', { count: d.audit.length }));
  for (const a of d.audit) {
    const by =
      a.by === 'you'
        ? t('privacy:mydata.audit_by_you')
        : a.by === 'staff'
          ? a.staffName
            ? t('privacy:mydata.audit_by_staff', { name: a.staffName })
            : t('privacy:mydata.audit_by_office')
          : t('privacy:mydata.audit_by_system');
    const fields = a.fields
      .map((f) => label(`privacy:mydata.audit_field.${f}`, f))
      .join(t('privacy:mydata.list_sep'));
    lines.push(
      t('privacy:mydata.audit', {
        at: at(a.at),
        what: label(`privacy:mydata.audit_action.${a.action.replaceAll('.', '_')}`, a.action),
        case: a.caseNumber ? ` ${a.caseNumber}` : '',
        fields: fields ? t('privacy:mydata.history_note', { note: fields }) : '',
        by,
      }),
    );
  }

  lines.push('', t(d.formInProgress ? 'privacy:mydata.form_in_progress' : 'privacy:mydata.no_form'));
  if (d.formDraftKept) lines.push(t('privacy:mydata.form_draft'));
  lines.push('');
  return lines.join('\n');
}

export function privacyFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('mydata', async (ctx) => {
    const data = await ctx.deps.privacy.exportMine(ctx.from.id);
    if (!data) {
      await ctx.reply(ctx.t('privacy:mydata.nothing'));
      return;
    }
    const text = renderMyData(data, ctx.t, ctx.locale);
    const day = data.generatedAt.slice(0, 10);
    await ctx.replyWithDocument(
      new InputFile(Buffer.from(`\ufeff${text}`, 'utf8'), `${ctx.t('privacy:mydata.filename')}-${day}.txt`),
      { caption: ctx.t('privacy:mydata.caption') },
    );
  });

  priv.command('deleteme', async (ctx) => {
    await ctx.reply(ctx.t('privacy:deleteme.confirm'), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('privacy:deleteme.confirm_yes'), privacyButtons.erase.pack({}))
        .row()
        .text(ctx.t('privacy:deleteme.confirm_no'), privacyButtons.keep.pack({})),
    });
  });

  onButton(priv, privacyButtons.erase, async (ctx) => {
    await ctx.conversation.exitAll();
    const result = await ctx.deps.privacy.eraseMine(ctx.from.id);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    if (!result.erased) {
      await ctx.reply(ctx.t('privacy:deleteme.nothing'));
      return;
    }
    ctx.registered = false;
    await ctx.reply(
      result.cases > 0
        ? ctx.t('privacy:deleteme.done_cases', { count: result.cases })
        : ctx.t('privacy:deleteme.done'),
      { reply_markup: { remove_keyboard: true } },
    );
  });

  onKeep(priv, privacyButtons.keep, 'privacy:deleteme.kept');

  return composer;
}
