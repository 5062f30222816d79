/** `npm run send-webhook -- [...]`: one AITable automation request; exit 0 on 2xx, else 1. */
import { loadEnvFile } from '@bridge/config';
import { HelpRequested, USAGE, parseSendWebhookArgs, type SendWebhookOptions } from './webhook/cli';
import { sendWebhook } from './webhook/send';

async function main(): Promise<void> {
  let opts: SendWebhookOptions;
  loadEnvFile(process.cwd(), { demo: true });
  try {
    opts = parseSendWebhookArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(USAGE);
      process.exit(0);
    }
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(1);
  }
  try {
    const result = await sendWebhook(opts);
    for (const note of result.notes) console.error(note);
    console.log(`POST ${opts.url}  ${opts.eventType} ${opts.datasheetId}/${result.recordId}`);
    console.log(`HTTP ${result.status}`);
    console.log(result.body);
    process.exit(result.status >= 200 && result.status < 300 ? 0 : 1);
  } catch (err) {
    console.error(`send-webhook failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();
