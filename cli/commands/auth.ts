/** `tollgate auth`: store a verified admin API key, or forget it. */
import { InvalidArgumentError, type Command } from 'commander';
import { tenancyRoutes } from '../../shared/contracts/tenancy';
import { Config, DEFAULT_URL, saveConfig } from '../config';
import { action } from '../context';
import { createClient } from '../http';
import { objectTable } from '../output';

interface LoginOptions {
  apiKey: string;
  url?: string;
}

/** Commander parser: the API's URL, checked like the stored setting. */
const apiUrl = (value: string): string => {
  if (!Config.shape.url.safeParse(value).success) throw new InvalidArgumentError('expected an http(s) URL.');
  return value;
};

/** Adds `auth login` and `auth logout`. */
export const registerAuth = (program: Command): void => {
  const auth = program
    .command('auth')
    .description('Log in with a scoped admin API key (tgadm_…), or log out');

  auth
    .command('login')
    .description('Check an admin API key against the API (/api/me) and store it with the URL')
    .requiredOption('--api-key <key>', 'a scoped admin API key (tgadm_…)')
    .option('--url <url>', `the Tollgate API (default: the configured one, else ${DEFAULT_URL})`, apiUrl)
    .action(
      action<LoginOptions>(async (ctx, { apiKey, url: given }) => {
        const url = given ?? ctx.config.url ?? DEFAULT_URL;
        // No cache: logging in must prove the key against the API now.
        const me = await createClient({ baseUrl: url, apiKey, timeoutMs: ctx.timeoutMs }).call(
          tenancyRoutes.me,
        );
        // The enterprise of the new key replaces any earlier one, so commands default to it.
        const { enterprise: _previous, ...rest } = ctx.config;
        const configFile = await saveConfig({
          ...rest,
          url,
          apiKey,
          ...(me.enterpriseId ? { enterprise: me.enterpriseId } : {}),
        });
        const data = { url, enterprise: me.enterpriseId, subject: me.subject, roles: me.roles, configFile };
        return { data, table: objectTable(data) };
      }),
    );

  auth
    .command('logout')
    .description('Forget the stored API key (and the enterprise that came with it)')
    .action(
      action(async (ctx) => {
        const { apiKey: _key, enterprise: _enterprise, ...rest } = ctx.config;
        const data = { loggedOut: true, configFile: await saveConfig(rest) };
        return { data, table: objectTable(data) };
      }),
    );
};
