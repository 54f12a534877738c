import { describe, expect, it } from 'vitest';
import { classifyMachineRequest } from '../../../src/handlers/imaging/classify-machine-request.js';
import { buildTriageReply, buildTriageReport, TRIAGE_INLINE_LIMIT, type TriageReportInput } from '../../../src/handlers/imaging/triage-report.js';
import { renderReplyBlocksWithCuts, SLACK_LIMITS } from '../../../src/bot/slack/render-reply.js';
import { renderReplyMessageWithCuts } from '../../../src/bot/discord/render-reply.js';
import * as ex from '../../fixtures/old-status-examples.js';

const NOW = new Date('2024-05-02T12:00:00Z');
const START = new Date('2024-05-01T20:30:00Z');

function input(overrides: Partial<TriageReportInput> = {}, oldStatus: string | null = ex.REAL_VALIDATING_NONETYPE): TriageReportInput {
  return {
    request: {
      id: 42,
      status: 'validating',
      oldStatus,
      startDate: START,
      newApplicationName: 'Genomics Toolkit',
      newVersionName: '2.0',
    },
    owner: { username: 'joetest', email: 'joe@example.org' },
    instance: { id: 917, providerAlias: '1111-222-3344-4567', name: 'joe-build-box', ipAddress: '128.196.64.12' },
    provider: { location: 'CyVerse Cloud' },
    image: { name: 'Ubuntu 18.04 NoGUI', version: '1.3', identifier: 'f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86' },
    triage: classifyMachineRequest({ status: 'validating', oldStatus, statusSince: START, now: NOW, stuckAfterMinutes: 90 }),
    history: [
      { at: new Date('2024-05-02T09:15:00Z'), actor: 'alice', action: 're-submitted', note: 'after restarting the imaging workers' },
      { at: new Date('2024-05-01T20:31:00Z'), actor: 'bob', action: 'approved' },
      { at: new Date('2024-05-02T09:16:00Z'), actor: 'alice', action: 'approved' },
    ],
    now: NOW,
    ...overrides,
  };
}

describe('buildTriageReport', () => {
  it('lists the guide fields in the guide order, ready to paste', () => {
    const report = buildTriageReport(input());
    const order = ['Username: joetest (joe@example.org)', 'Instance ID: 1111-222-3344-4567', 'IP Address: 128.196.64.12', 'Cloud Provider: CyVerse Cloud', 'Image/Application selected: Ubuntu 18.04 NoGUI version 1.3 (ProviderMachine UUID f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86)', 'Traceback : ', 'Other Notes from Triage:'];
    const positions = order.map((field) => report.indexOf(field));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(report.split('\n')[0]).toBe('Imaging request #42: level two triage information');
    expect(report).toContain('Instance ID: 1111-222-3344-4567 (Atmosphere instance 917, "joe-build-box")');
    expect(report).toContain('Requested new image: "Genomics Toolkit" version 2.0');
  });

  it('pastes the full status message with the traceback on real lines', () => {
    const report = buildTriageReport(input());
    expect(report).toContain(
      `Traceback : (validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:\nTraceback (most recent call last):\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n`,
    );
    expect(report).toContain("    server_params['imageRef'] = kwargs.get('image').id\nAttributeError: 'NoneType' object has no attribute 'id'\n");
    expect(report).not.toMatch(/\\n|\\'/);
  });

  it('pastes the guide example traceback in full', () => {
    const report = buildTriageReport(input({}, ex.GUIDE_TRIAGE_EXAMPLE));
    expect(report).toContain(`Traceback : (validating) ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:\nTraceback (most recent call last):\n File "/opt/env/atmo_mm/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n`);
    expect(report).toContain(` File "/opt/env/atmo_mm/local/lib/python2.7/site-packages/libcloud/compute/drivers/openstack.py", line 1363, in _create_args_to_params\n server_params['imageRef'] = kwargs.get('image').id\nAttributeError: 'NoneType' object has no attribute 'id'\n`);
  });

  it('gives the classification, its evidence and the time in error', () => {
    const report = buildTriageReport(input());
    expect(report).toContain('Bot triage: cache (error), failed step: validating');
    expect(report).toContain(`Evidence: AttributeError("'NoneType' object has no attribute 'id'`);
    expect(report).toContain("Summary: imaging cache problem (in error 15 h 30 min): validating: AttributeError: 'NoneType' object has no attribute 'id'");
    expect(report).toContain('Request status: validating (requested 2024-05-01 20:30 UTC, in error 15 h 30 min)');
  });

  it("lists the bot's history of the request in time order with who did what", () => {
    const report = buildTriageReport(input());
    const notes = report.slice(report.indexOf('Other Notes from Triage:')).split('\n');
    expect(notes.slice(1, 5)).toEqual([
      '- 2024-05-01 20:31 UTC bob: approved',
      '- 2024-05-02 09:15 UTC alice: re-submitted (after restarting the imaging workers)',
      '- 2024-05-02 09:16 UTC alice: approved',
      '- report generated 2024-05-02 12:00 UTC',
    ]);
  });

  it('says when nothing was tried through the bot', () => {
    expect(buildTriageReport(input({ history: [] }))).toContain('Other Notes from Triage:\n- nothing tried through the bot yet\n');
  });

  it('reminds that the user must not delete the instance until the request completes, among the findings', () => {
    expect(buildTriageReport(input())).toContain(
      'Reminder: the user should NOT delete instance 1111-222-3344-4567 until the imaging request is completed.',
    );
  });

  it('puts the findings before the guide fields and the traceback', () => {
    const report = buildTriageReport(input());
    const order = ['Bot triage: ', 'Summary: ', 'Evidence: ', 'Reminder: ', 'Username: ', 'Traceback : ', 'Other Notes from Triage:'];
    const positions = order.map((field) => report.indexOf(field));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('says what is unknown instead of leaving fields out', () => {
    const report = buildTriageReport(input({ instance: null, provider: null, image: null }));
    expect(report).toContain('Instance ID: unknown (the instance record is missing)');
    expect(report).toContain('IP Address: none recorded');
    expect(report).toContain('Cloud Provider: unknown');
    expect(report).toContain('Image/Application selected: unknown');
    const noIp = buildTriageReport(input({ instance: { id: 1, providerAlias: 'abc', name: 'n', ipAddress: null } }));
    expect(noIp).toContain('IP Address: none recorded');
    expect(buildTriageReport(input({ image: { name: 'CentOS 7' } }))).toContain('Image/Application selected: CentOS 7\n');
  });

  it('pastes a status message without a traceback as it is', () => {
    const report = buildTriageReport(input({}, ex.GUIDE_IMAGING_EXCEPTION));
    expect(report).toContain('Traceback : (imaging) Exception ...\n');
    expect(report).toContain('Bot triage: imaging-host (error), failed step: imaging');
    expect(buildTriageReport(input({}, null))).toContain('Traceback : (no status message recorded)\n');
    expect(buildTriageReport(input({}, ex.REAL_PENDING_NO_SPACE))).toContain(
      'Bot triage: imaging-host (error), failed step: pending (snapshot and imaging, before processing)\n',
    );
  });

  it('omits the time in error and the step for a request that is not in error', () => {
    const triage = classifyMachineRequest({ status: 'pending', oldStatus: 'pending', statusSince: START, now: NOW, stuckAfterMinutes: 90 });
    const report = buildTriageReport(input({ triage }, 'pending'));
    expect(report).toContain('Request status: validating (requested 2024-05-01 20:30 UTC)');
    expect(report).toContain('Bot triage: pending (ok)\n');
  });
});

/** A realistic 10 kB old_status: the real error with a hundred celery and libcloud frames before it. */
const FRAME = String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n`;
const LONG_OLD_STATUS = ex.REAL_VALIDATING_NONETYPE.replace(String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/libcloud`, `${FRAME.repeat(80)}  File "/opt/env/atmo/local/lib/python2.7/site-packages/libcloud`);

describe('buildTriageReply', () => {
  it('keeps a short status message in the message, with no file', () => {
    const reply = buildTriageReply(input({}, ex.GUIDE_IMAGING_EXCEPTION));
    expect(reply.files ?? []).toEqual([]);
    expect(reply.sections?.[0]?.text).toContain('Traceback : (imaging) Exception ...');
  });

  it('shows the findings first and puts a 10 kB traceback whole in a file, so nothing is cut on Slack or Discord', () => {
    expect(LONG_OLD_STATUS.length).toBeGreaterThan(10_000);
    const reply = buildTriageReply(input({}, LONG_OLD_STATUS));
    expect(reply.text.split('\n')[0]).toBe('Bot triage: cache (error), failed step: validating');
    expect(reply.text).toContain('Reminder: the user should NOT delete instance 1111-222-3344-4567 until the imaging request is completed.');
    const guide = reply.sections?.[0]?.text ?? '';
    expect(guide).toContain("Traceback : … AttributeError: 'NoneType' object has no attribute 'id'\n(the whole traceback, ");
    expect(guide).toContain('is in the file imaging-request-42-triage.txt sent with this report; /atmo imaging show 42 shows the status message too)');
    expect(guide.length).toBeLessThan(TRIAGE_INLINE_LIMIT * 3);
    expect(reply.sections?.[1]?.text).toMatch(/^Other Notes from Triage:\n- 2024-05-01 20:31 UTC bob: approved/);

    const [file] = reply.files ?? [];
    expect(file?.name).toBe('imaging-request-42-triage.txt');
    const text = new TextDecoder().decode(file!.data);
    expect(text).toBe(`${buildTriageReport(input({}, LONG_OLD_STATUS))}\n`);
    expect(text).toContain(`${'    R = retval = fun(*args, **kwargs)\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n'.repeat(10)}`);
    expect(text.indexOf('Reminder: ')).toBeLessThan(text.indexOf('Traceback : '));

    const slack = renderReplyBlocksWithCuts(reply, { name: 'x.txt', attached: true });
    expect(slack.cut).toBe(false);
    expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(renderReplyMessageWithCuts(reply, { name: 'x.txt', attached: true }).cut).toBe(false);
  });

  it('cuts long evidence in the message, saying the file has it, and sends the file', () => {
    const triage = { ...classifyMachineRequest({ status: 'validating', oldStatus: LONG_OLD_STATUS, statusSince: START, now: NOW, stuckAfterMinutes: 90 }), evidence: 'e'.repeat(2000) };
    const reply = buildTriageReply(input({ triage }, 'short'));
    expect(reply.text).toContain(`Evidence: ${'e'.repeat(499)}… (cut; the file imaging-request-42-triage.txt has all of it)`);
    expect(new TextDecoder().decode(reply.files![0]!.data)).toContain(`Evidence: ${'e'.repeat(2000)}\n`);
  });
});
