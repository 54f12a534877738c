export { atmobot } from './atmobot.js';
export { auditLog } from './audit-log.js';
export { chatLink } from './chat-link.js';
export { decision } from './decision.js';
export { jobRun } from './job-run.js';
