/**
 * The demo AI upstream as its own process, answering at once (unpaced): what the overhead
 * benchmark measures the gateway against. Prints `{"upstream":{"url","pid"}}` once it serves.
 */
import { startDemoUpstream } from './demo-upstream';

const upstream = await startDemoUpstream(0, { paced: false });
const stop = () => void upstream.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.stdout.write(`${JSON.stringify({ upstream: { url: upstream.url, pid: process.pid } })}\n`);
