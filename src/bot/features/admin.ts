import path from 'node:path';
import { Composer } from 'grammy';
import { DefinitionError } from '../../domain/catalogue/index.ts';
import type { BotContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { isAdmin } from './basics.ts';
import { conflictsFeature } from './conflicts.ts';
import { manageFeature } from './manage.ts';

/** A service definition's mistake in the admin's own language: which file, service, step, and what. */
export function definitionErrorText(t: TFunction, err: DefinitionError): string {
  const language = err.params.lang ? t(`admin.languages.${err.params.lang}`) : '';
  return t('admin.definition_failed', {
    file: path.basename(err.file),
    service: err.service ?? t('admin.definition_none'),
    step: err.step ?? t('admin.definition_none'),
    problem: t(`admin.definition_problems.${err.code}`, { ...err.params, language }),
  });
}

export function adminFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  // Invites, staff, canned replies, figures, export, and /join for the invited.
  composer.use(manageFeature());
  // Registrations waiting for the window's ID-card check.
  composer.use(conflictsFeature());
  // The reference data, then the service definitions: each is checked whole, and kept as it was when wrong.
  composer.chatType('private').command('reload', async (ctx) => {
    if (!isAdmin(ctx)) {
      await ctx.reply(ctx.t('admin.not_allowed'));
      return;
    }
    try {
      const reference = await ctx.deps.reloadReferenceData();
      await ctx.reply(
        reference.ok
          ? ctx.t('admin.reloaded', reference.value)
          : ctx.t('admin.reload_failed', {
              file: reference.error.file,
              problem:
                reference.error.places.length > 0
                  ? reference.error.places.map((p) => `• ${p}`).join('\n')
                  : ctx.t('admin.definition_problems.unreadable'),
            }),
      );
    } catch (err) {
      ctx.deps.logger.warn({ err }, 'reference data reload failed');
      await ctx.reply(ctx.t('errors.generic'));
    }
    try {
      const services = await ctx.deps.reloadServices();
      await ctx.reply(ctx.t('admin.services_reloaded', services));
    } catch (err) {
      if (err instanceof DefinitionError) {
        ctx.deps.logger.warn({ problem: err.message }, 'service definitions reload refused');
        await ctx.reply(definitionErrorText(ctx.t, err));
        return;
      }
      ctx.deps.logger.warn({ err }, 'service definitions reload failed');
      await ctx.reply(ctx.t('errors.generic'));
    }
  });
  return composer;
}
