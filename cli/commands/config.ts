/** `tollgate config`: read and change the settings file. The API key is only ever shown masked. */
import { Argument, type Command } from 'commander';
import { Config, configFile, configKeys, DEFAULT_URL, maskKey, saveConfig, type ConfigKey } from '../config';
import { action } from '../context';
import { fromZodError } from '../errors';
import { objectTable } from '../output';

/** The settings in effect: defaults filled in, the key masked. */
const effective = (config: Config): Record<ConfigKey, string | null> => ({
  url: config.url ?? DEFAULT_URL,
  apiKey: config.apiKey ? maskKey(config.apiKey) : null,
  enterprise: config.enterprise ?? null,
  format: config.format ?? 'json',
});

const keyArgument = () => new Argument('<key>', 'the setting').choices(configKeys);

/** Adds `config set`, `config get` and `config list`. */
export const registerConfig = (program: Command): void => {
  const config = program
    .command('config')
    .description(`Settings: ${configKeys.join(', ')} (file: TOLLGATE_CONFIG_DIR or the user config dir)`);

  config
    .command('set')
    .description('Change one setting')
    .addArgument(keyArgument())
    .argument('<value>', 'its new value')
    .action(
      action(async (ctx, _options, [key, value]) => {
        const name = key as ConfigKey;
        const parsed = Config.shape[name].safeParse(value);
        if (!parsed.success) throw fromZodError(`Invalid ${name}`, parsed.error);
        const next = { ...ctx.config, [name]: parsed.data };
        const data = { key: name, value: effective(next)[name], configFile: await saveConfig(next) };
        return { data, table: objectTable(data) };
      }),
    );

  config
    .command('get')
    .description('Show one setting (defaults filled in)')
    .addArgument(keyArgument())
    .action(
      action(async (ctx, _options, [key]) => {
        const data = { key, value: effective(ctx.config)[key as ConfigKey] };
        return { data, table: objectTable(data) };
      }),
    );

  config
    .command('list')
    .description('Show every setting (defaults filled in) and where the file is')
    .action(
      action(async (ctx) => {
        const data = { ...effective(ctx.config), configFile: configFile() };
        return { data, table: objectTable(data) };
      }),
    );
};
