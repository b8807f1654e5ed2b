// Runs a TypeScript worker entry when momentum runs from source (tests, tsx): registers tsx's
// loader in this worker thread, then imports the entry. Built code (dist/) starts workers directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
