import { randomBytes } from 'node:crypto';
import { createFormStateStore, type FormStateStore } from '../../src/bot/chat/form-state-store.js';
import { FORM_STATE_TTL_MS, keys } from '../../src/integrations/kv/keys.js';
import { createMemoryStore } from '../../src/integrations/kv/memory-store.js';

/** Form state in the in-process store, as the bot keeps it without REDIS_URL. */
export function memoryFormStates(): FormStateStore {
  return createFormStateStore({ backend: createMemoryStore(), key: keys.formState, ttlMs: FORM_STATE_TTL_MS, newId: () => randomBytes(16).toString('hex') });
}
