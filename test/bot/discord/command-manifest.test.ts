import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandDefinition, OptionSpec } from '../../../src/bot/chat/command.js';
import { buildCommandManifest, interactionToOptions } from '../../../src/bot/discord/command-manifest.js';
import { chatInput } from '../../support/discord-interactions.js';

function command(name: string, summary: string, options: OptionSpec[] = []): CommandDefinition {
  return { name, summary, usage: `/atmo ${name}`, options, args: z.object({}), permission: 'anyone', run: async () => undefined };
}

const sample = [
  command('requests', 'List pending resource requests', [
    { name: 'status', description: 'Which requests', type: 'string', choices: ['pending', 'failed'] },
  ]),
  command('request', 'Show one resource request', [{ name: 'id', description: 'Request id', type: 'integer', required: true }]),
  command('imaging triage', 'Classify errored imaging requests', [
    { name: 'verbose', description: 'Show every step', type: 'boolean', flag: true },
    { name: 'hours', description: 'Look back this many hours', type: 'integer', required: true, choices: ['24', '48'] },
  ]),
  command('maintenance start', 'Start a maintenance window', [
    { name: 'title', description: 'Title', type: 'string', required: true },
    { name: 'dry-run', description: 'Only show what would happen', type: 'boolean' },
    { name: 'message', description: 'Message shown to users', type: 'string', required: true, rest: true },
  ]),
  command('maintenance stop', 'x'.repeat(120)),
];

describe('buildCommandManifest', () => {
  it('registers one /atmo command with subcommands, groups, typed options and required options first', () => {
    expect(buildCommandManifest(sample)).toEqual([
      {
        type: 1,
        name: 'atmo',
        description: 'Atmosphere cloud operations: requests, imaging, maintenance, releases',
        options: [
          {
            type: 1,
            name: 'requests',
            description: 'List pending resource requests',
            options: [
              { type: 3, name: 'status', description: 'Which requests', required: false, choices: [{ name: 'pending', value: 'pending' }, { name: 'failed', value: 'failed' }] },
            ],
          },
          { type: 1, name: 'request', description: 'Show one resource request', options: [{ type: 4, name: 'id', description: 'Request id', required: true }] },
          {
            type: 2,
            name: 'imaging',
            description: 'imaging commands',
            options: [
              {
                type: 1,
                name: 'triage',
                description: 'Classify errored imaging requests',
                options: [
                  { type: 4, name: 'hours', description: 'Look back this many hours', required: true, choices: [{ name: '24', value: 24 }, { name: '48', value: 48 }] },
                  { type: 5, name: 'verbose', description: 'Show every step', required: false },
                ],
              },
            ],
          },
          {
            type: 2,
            name: 'maintenance',
            description: 'maintenance commands',
            options: [
              {
                type: 1,
                name: 'start',
                description: 'Start a maintenance window',
                options: [
                  { type: 3, name: 'title', description: 'Title', required: true },
                  { type: 3, name: 'message', description: 'Message shown to users', required: true },
                  { type: 5, name: 'dry-run', description: 'Only show what would happen', required: false },
                ],
              },
              { type: 1, name: 'stop', description: `${'x'.repeat(99)}…`, options: [] },
            ],
          },
        ],
      },
    ]);
  });

  it('refuses a path that is both a command and a group', () => {
    expect(() => buildCommandManifest([command('maintenance', 'Show'), command('maintenance start', 'Start')])).toThrow(/both a command and a command group/);
    expect(() => buildCommandManifest([command('maintenance start', 'Start'), command('maintenance', 'Show')])).toThrow(/both a command and a command group/);
  });

  it('refuses paths Discord cannot hold', () => {
    expect(() => buildCommandManifest([command('a b c', 'three words')])).toThrow(/at most two/);
    expect(() => buildCommandManifest([command('Requests', 'upper case')])).toThrow(/not a valid Discord name/);
    expect(() => buildCommandManifest(Array.from({ length: 26 }, (_, index) => command(`c${index}`, 'many')))).toThrow(/more than 25/);
  });
});

describe('interactionToOptions', () => {
  it('reads a subcommand of a group with its values', () => {
    const interaction = chatInput({ path: ['maintenance', 'start'], options: { title: 'Upgrade', 'dry-run': true } });
    expect(interactionToOptions(interaction.data)).toEqual({ path: ['maintenance', 'start'], values: { title: 'Upgrade', 'dry-run': true } });
  });

  it('reads a plain subcommand without options', () => {
    expect(interactionToOptions(chatInput({ path: ['requests'] }).data)).toEqual({ path: ['requests'], values: {} });
    expect(interactionToOptions({ options: [{ name: 'requests', type: 1 }] })).toEqual({ path: ['requests'], values: {} });
  });
});
