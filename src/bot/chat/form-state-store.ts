/**
 * Where a form's state waits between the click that opened it and its submission. The client only
 * ever holds the random id, so a submission cannot change which action runs, on which record, or
 * where the answer goes: whatever comes back besides the typed values is looked up here.
 */
export interface FormStateStore {
  /** Keeps `state` under a fresh, unguessable id and returns the id. */
  save(state: string): Promise<string>;
  /** The state saved under `id`, removed so it answers once; null when unknown, expired or used. */
  take(id: string): Promise<string | null>;
  /** Puts a taken state back under its id, for a form that stays open (its fields were refused). */
  restore(id: string, state: string): Promise<void>;
}

/** The part of the bot's key-value store that form state needs (Redis, or the in-process store). */
export interface FormStateBackend {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  deleteIfEquals(key: string, value: string): Promise<boolean>;
}

/** 128 random bits as hex: not guessable, and short enough for a Discord custom id. */
export const FORM_ID = /^[0-9a-f]{32}$/;

export function createFormStateStore(options: {
  backend: FormStateBackend;
  key(id: string): string;
  ttlMs: number;
  newId(): string;
}): FormStateStore {
  return {
    async save(state) {
      const id = options.newId();
      if (!FORM_ID.test(id)) throw new Error('form ids must be 32 hex digits');
      await options.backend.set(options.key(id), state, options.ttlMs);
      return id;
    },
    async take(id) {
      if (!FORM_ID.test(id)) return null;
      const key = options.key(id);
      const state = await options.backend.get(key);
      if (state === null) return null;
      // Compare-and-delete: of two submissions racing for one form, only one gets its state.
      return (await options.backend.deleteIfEquals(key, state)) ? state : null;
    },
    async restore(id, state) {
      if (!FORM_ID.test(id)) return;
      await options.backend.set(options.key(id), state, options.ttlMs);
    },
  };
}
