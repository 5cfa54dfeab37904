import { describeStopCases } from './stopCases';

// n8n 2.x: `sleep(ms, signal)` from n8n-workflow ends when the signal aborts.
describeStopCases("n8n 2.x's sleep(ms, signal)");
