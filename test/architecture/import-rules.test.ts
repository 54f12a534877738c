import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOWED, ROOTS, checkImports, checkTree, importSpecifiers, layerOf, listSources } from './import-rules.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('the import rules of src/', () => {
  it('hold for every file in the tree', () => {
    expect(checkTree(SRC)).toEqual([]);
  });

  it('know the layer of every file in the tree', () => {
    const unknown = listSources(SRC)
      .map(layerOf)
      .filter((layer) => !(layer in ALLOWED) && !ROOTS.has(layer));
    expect(unknown).toEqual([]);
  });

  it('catch a handler that imports an adapter', () => {
    expect(checkImports('handlers/imaging/x.ts', ['../../bot/slack/render-reply.js'])).toEqual([
      { file: 'handlers/imaging/x.ts', imports: '../../bot/slack/render-reply.js', rule: 'handlers may not import bot/slack' },
    ]);
  });

  it('catch an adapter that reaches past the chat core', () => {
    expect(checkImports('bot/discord/x.ts', ['../../db/queries/users.js']).map((v) => v.rule)).toEqual(['bot/discord may not import db']);
    expect(checkImports('bot/slack/x.ts', ['../discord/render-reply.js']).map((v) => v.rule)).toEqual(['bot/slack may not import bot/discord']);
  });

  it('catch the chat core importing an adapter, and db or integrations importing upwards', () => {
    expect(checkImports('bot/chat/x.ts', ['../console/render-text.js']).map((v) => v.rule)).toEqual(['bot/chat may not import bot/console']);
    expect(checkImports('db/queries/x.ts', ['../../bot/chat/chat-event.js']).map((v) => v.rule)).toEqual(['db may not import bot/chat']);
    expect(checkImports('integrations/github/x.ts', ['../../handlers/help.js']).map((v) => v.rule)).toEqual(['integrations may not import handlers']);
    expect(checkImports('db/x.ts', ['../integrations/atmosphere/gateway.js']).map((v) => v.rule)).toEqual(['db may not import integrations']);
  });

  it('keep each platform SDK inside its adapter', () => {
    expect(checkImports('handlers/x.ts', ['@slack/bolt']).map((v) => v.rule)).toEqual(['only bot/slack loads @slack/']);
    expect(checkImports('jobs/x.ts', ['discord.js']).map((v) => v.rule)).toEqual(['only bot/discord loads discord.js']);
    expect(checkImports('bot/discord/x.ts', ['discord.js', '@discordjs/rest'])).toEqual([]);
  });

  it('let the composition roots import anything', () => {
    expect(checkImports('start-bot.ts', ['./bot/slack/slack-app.js', './handlers/index.js', '@slack/bolt'])).toEqual([]);
  });

  it('read static imports, re-exports and dynamic imports', () => {
    const source = "import a from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');\nimport './side-effect.js';";
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b.js', './c.js', './side-effect.js']);
  });
});
