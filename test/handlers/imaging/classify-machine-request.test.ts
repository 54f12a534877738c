import { describe, expect, it } from 'vitest';
import { classifyMachineRequest, type Triage } from '../../../src/handlers/imaging/classify-machine-request.js';
import * as ex from '../../fixtures/old-status-examples.js';

const NOW = new Date('2024-05-02T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function classify(status: string, oldStatus: string | null, opts: { ago?: number; stuckAfterMinutes?: number } = {}): Triage {
  return classifyMachineRequest({
    status,
    oldStatus,
    statusSince: new Date(NOW.getTime() - (opts.ago ?? 30 * MINUTE)),
    now: NOW,
    stuckAfterMinutes: opts.stuckAfterMinutes ?? 90,
  });
}

const RESTART_COMMAND = "ps auxww | grep 'celery worker' | grep 'imaging' | awk '{print $2}' | xargs kill -9";

describe('classifyMachineRequest: "Maximum number of instances exceeded" while validating', () => {
  it.each([
    ['the guide', ex.GUIDE_VALIDATING_MAX_INSTANCES],
    ['the " - ERROR - " format', ex.REAL_VALIDATING_MAX_INSTANCES],
    ['the v2 "(validating) ERROR" format', ex.REAL_VALIDATING_MAX_INSTANCES_V2],
  ])('asks an administrator to clean the admin tenant (%s)', (_name, oldStatus) => {
    const t = classify('validating', oldStatus);
    expect(t.category).toBe('max-instances');
    expect(t.severity).toBe('error');
    expect(t.step).toBe('validating');
    expect(t.evidence).toBe('Maximum number of instances exceeded');
    expect(oldStatus).toContain(t.evidence);
    expect(t.nextSteps[0]).toMatch(/system administrator to remove the instances from the atmosphere admin user and tenant/);
    expect(t.resubmitAdvised).toBe(false);
  });

  it('takes the step from the innermost prefix when an earlier error was wrapped into it', () => {
    const t = classify('validating', ex.REAL_NESTED_PREFIX);
    expect(t.step).toBe('validating');
    // Both the older cache error and the newer quota error are in the text; the guide's first rule wins.
    expect(t.category).toBe('max-instances');
  });

  it('does not apply when the text appears outside the validating step', () => {
    const oldStatus = String.raw`(processing - ${ex.GLANCE_ID}) - ERROR - Exception('Maximum number of instances exceeded',) Exception:'Traceback (most recent call last):\nException: Maximum number of instances exceeded\n'`;
    expect(classify('processing', oldStatus).category).toBe('unknown-error');
  });

  it('matches regardless of case', () => {
    const t = classify('Validating', '(VALIDATING) - error - BaseHTTPError(u\'maximum number of instances EXCEEDED\',)');
    expect(t.category).toBe('max-instances');
    expect(t.evidence).toBe('maximum number of instances EXCEEDED');
  });
});

describe('classifyMachineRequest: cache problems in processing or validating', () => {
  it.each([
    ['guide: traceback tail, validating', 'validating', ex.GUIDE_NONETYPE_TAIL, 'validating'],
    ['guide: "processing - <IMAGE_ID> + serverRef..."', 'processing', ex.GUIDE_PROCESSING_SERVERREF, 'processing'],
    ['guide: "validating + ERROR - AttributeError(...)"', 'validating', ex.GUIDE_VALIDATING_NONETYPE, 'validating'],
    ['guide: level two triage example', 'validating', ex.GUIDE_TRIAGE_EXAMPLE, 'validating'],
    ['real: validating AttributeError', 'validating', ex.REAL_VALIDATING_NONETYPE, 'validating'],
    ['real: processing serverRef with the Glance id prefix', 'processing', ex.REAL_PROCESSING_SERVERREF, 'processing'],
    ['real: v2 processing AttributeError', 'processing', ex.REAL_PROCESSING_NONETYPE_V2, 'processing'],
    ['real: resumed request back in started', 'started', ex.REAL_PROCESSING_NONETYPE_V2, 'processing'],
  ])('%s', (_name, status, oldStatus, step) => {
    const t = classify(status, oldStatus);
    expect(t.category).toBe('cache');
    expect(t.severity).toBe('error');
    expect(t.step).toBe(step);
    expect(oldStatus).toContain(t.evidence);
    expect(t.evidence).toMatch(/NoneType\\?' object has no attribute \\?'id|serverRef.*does not exist/);
  });

  it('under 12 hours: check flower, restart the imaging workers, then re-submit; no re-submit advice yet', () => {
    const t = classify('validating', ex.REAL_VALIDATING_NONETYPE, { ago: 3 * HOUR });
    expect(t.resubmitAdvised).toBe(false);
    expect(t.hoursInError).toBe(3);
    const flower = t.nextSteps.findIndex((s) => /flower/.test(s) && /imaging queue is empty/.test(s));
    const restart = t.nextSteps.findIndex((s) => s.includes(RESTART_COMMAND) && s.includes('service celeryd start'));
    expect(flower).toBeGreaterThanOrEqual(0);
    expect(restart).toBeGreaterThan(flower);
    expect(t.nextSteps.join('\n')).toMatch(/resumes at validating/);
    expect(t.nextSteps.at(-1)).toMatch(/same error comes back, contact the Atmosphere team/);
  });

  it('says where a processing error resumes (the Glance id prefix)', () => {
    const t = classify('processing', ex.REAL_PROCESSING_SERVERREF);
    expect(t.nextSteps.join('\n')).toMatch(/resumes at processing/);
  });

  it.each([
    [11 * HOUR + 59 * MINUTE, false],
    [12 * HOUR, false],
    [12 * HOUR + MINUTE, true],
    [48 * HOUR, true],
  ])('after %i ms in error, re-submit is advised: %s (the guide says more than 12 hours)', (ago, advised) => {
    const t = classify('validating', ex.REAL_VALIDATING_NONETYPE, { ago });
    expect(t.resubmitAdvised).toBe(advised);
    expect(t.hoursInError).toBeCloseTo(ago / HOUR, 6);
    expect(t.nextSteps[0]).toMatch(advised ? /^In error for over 12 h.*Re-submit and approve/ : /flower/);
    expect(t.nextSteps.at(-1)).toMatch(/contact the Atmosphere team/);
  });

  it('matches the signature regardless of case', () => {
    const t = classify('VALIDATING', '(Validating) - Error - AttributeError("\'NONETYPE\' object has no attribute \'ID\'",)');
    expect(t.category).toBe('cache');
  });
});

describe('classifyMachineRequest: errors in the imaging (snapshot) step', () => {
  it.each([
    ['guide: "(imaging) Exception ..."', ex.GUIDE_IMAGING_EXCEPTION, 'imaging'],
    ['guide: "(imaging)"', ex.GUIDE_IMAGING_PREFIX_ONLY, 'imaging'],
    ['real: "(pending) - ERROR" (snapshot step of v35+)', ex.REAL_PENDING_UNLISTED_CAUSE, 'pending'],
    ['real: legacy "(imaging) ERROR"', ex.REAL_IMAGING_NBD_MISSING, 'imaging'],
  ])('is a problem on the imaging host that re-running will not fix: %s', (_name, oldStatus, step) => {
    const t = classify('started', oldStatus, { ago: 30 * HOUR });
    expect(t.category).toBe('imaging-host');
    expect(t.step).toBe(step);
    expect(t.resubmitAdvised).toBe(false);
    expect(t.nextSteps[0]).toMatch(/re-submitting will not help/);
    const all = t.nextSteps.join('\n');
    expect(all).toMatch(/Bad filesystem type/);
    expect(all).toContain('modprobe nbd max_part=16');
    expect(all).toMatch(/Out of disk space/);
    expect(all).toMatch(/More than one imaging task/);
  });

  it('keeps the guide order and cites the error head when no listed cause is named', () => {
    const t = classify('started', ex.REAL_PENDING_UNLISTED_CAUSE);
    expect(t.evidence).toBe('(pending) - ERROR');
    expect(t.nextSteps.slice(1, 5).map((s) => s.split(' ')[0])).toEqual(['Bad', 'Missing', 'Out', 'More']);
  });

  it.each([
    ['out of disk space', ex.REAL_PENDING_NO_SPACE, 'No space left on device', /^Out of disk space/],
    ['missing /dev/nbd', ex.REAL_IMAGING_NBD_MISSING, '/dev/nbd0', /^Missing nbd module.*modprobe nbd max_part=16/],
    ['bad filesystem, even though the mount error names an nbd device', ex.REAL_IMAGING_BAD_FILESYSTEM, 'wrong fs type', /^Bad filesystem type/],
    [
      'concurrent imaging tasks',
      "(pending) - ERROR - IOError(16, 'Device or resource busy') Exception:None",
      'Device or resource busy',
      /^More than one imaging task/,
    ],
  ])('puts the named cause first: %s', (_name, oldStatus, evidence, first) => {
    const t = classify('started', oldStatus);
    expect(t.evidence).toBe(evidence);
    expect(t.nextSteps[1]).toMatch(first);
    expect(t.nextSteps).toHaveLength(6);
  });
});

describe('classifyMachineRequest: stuck in started', () => {
  it.each([
    [90, 'in-progress'],
    [91, 'stuck'],
  ])('after %i minutes with a 90-minute threshold: %s', (minutes, category) => {
    const t = classify('started', ex.PROGRESS_PENDING, { ago: minutes * MINUTE, stuckAfterMinutes: 90 });
    expect(t.category).toBe(category);
  });

  it('explains that the first task has no error handler and names where it sits', () => {
    const t = classify('started', ex.PROGRESS_IMAGING_LEGACY, { ago: 5 * HOUR, stuckAfterMinutes: 120 });
    expect(t.category).toBe('stuck');
    expect(t.severity).toBe('warning');
    expect(t.step).toBe('imaging');
    expect(t.summary).toBe('started 5 h ago with no progress or error recorded');
    expect(t.nextSteps[0]).toMatch(/no error handler/);
    expect(t.nextSteps.join('\n')).toMatch(/flower/);
  });

  it('only applies to started: a long validating without error is still in progress', () => {
    expect(classify('validating', ex.PROGRESS_VALIDATING, { ago: 10 * HOUR }).category).toBe('in-progress');
  });

  it('an errored started request is classified by its error, not as stuck', () => {
    expect(classify('started', ex.REAL_PENDING_NO_SPACE, { ago: 10 * HOUR }).category).toBe('imaging-host');
  });
});

describe('classifyMachineRequest: anything else that looks like an error', () => {
  it.each([
    ['guide: "(processing - <IMAGE_ID>) Error ..."', 'processing', ex.GUIDE_PROCESSING_ERROR, 'Error', 'processing'],
    ['guide: "(processing - ) Error ..."', 'processing', ex.GUIDE_PROCESSING_ERROR_NO_ID, 'Error', 'processing'],
    ['guide: "(validating) Error ..."', 'validating', ex.GUIDE_VALIDATING_ERROR, 'Error', 'validating'],
    ['real: validation failed', 'validating', ex.REAL_VALIDATING_FAILED, 'ERROR', 'validating'],
    ['real: KeyError while processing', 'processing', ex.REAL_PROCESSING_KEY_ERROR, 'ERROR', 'processing'],
    ['real: no prefix, step from the status', 'validating', ex.REAL_NO_PREFIX, 'ERROR', 'validating'],
    ['real: no prefix and started', 'started', ex.REAL_NO_PREFIX, 'ERROR', null],
    ['Troposphere rule: Traceback', 'processing', 'Traceback (most recent call last): ...', 'Traceback', 'processing'],
    ['Troposphere rule: Exception', 'started', 'something raised Exception: boom', 'Exception', null],
    ['legacy v1 "error"', 'started', 'error', 'error', null],
  ])('escalates as an unknown error: %s', (_name, status, oldStatus, evidence, step) => {
    const t = classify(status, oldStatus, { ago: 2 * HOUR });
    expect(t.category).toBe('unknown-error');
    expect(t.severity).toBe('error');
    expect(t.evidence).toBe(evidence);
    expect(t.step).toBe(step);
    expect(t.hoursInError).toBe(2);
    expect(t.resubmitAdvised).toBe(false);
    expect(t.nextSteps.at(-1)).toMatch(/contact the Atmosphere team with the level two triage report/);
  });

  it('points processing/validating errors at the restart the guide suggests', () => {
    expect(classify('validating', ex.REAL_VALIDATING_FAILED).nextSteps.join('\n')).toMatch(/restarting the imaging service/);
    expect(classify('started', ex.REAL_NO_PREFIX).nextSteps.join('\n')).not.toMatch(/restarting the imaging service/);
  });

  it('summarises the error in one line with the time in error', () => {
    const t = classify('validating', ex.REAL_VALIDATING_FAILED, { ago: 3 * HOUR });
    expect(t.summary).toBe(`unknown error (in error 3 h): validating: Exception: Validation of new Image ${ex.GLANCE_ID} has *FAILED*`);
  });
});

describe('classifyMachineRequest: states without an error', () => {
  it.each([
    ['pending', ex.PROGRESS_PENDING, 'pending', 'ok'],
    ['pending', null, 'pending', 'ok'],
    ['approved', ex.PROGRESS_PENDING, 'in-progress', 'ok'],
    ['started', ex.PROGRESS_PENDING, 'in-progress', 'ok'],
    ['processing', ex.PROGRESS_PROCESSING, 'in-progress', 'ok'],
    ['validating', ex.PROGRESS_VALIDATING, 'in-progress', 'ok'],
    ['completed', ex.PROGRESS_COMPLETED, 'done', 'ok'],
    ['closed', '', 'done', 'ok'],
    ['denied', ex.REAL_VALIDATING_NONETYPE, 'done', 'ok'],
    ['closed', ex.REAL_PENDING_NO_SPACE, 'done', 'ok'],
    ['failed', null, 'done', 'warning'],
    ['validated', ex.PROGRESS_VALIDATING, 'in-progress', 'warning'],
    [' COMPLETED ', ex.PROGRESS_COMPLETED, 'done', 'ok'],
  ])('%s with %j is %s (%s)', (status, oldStatus, category, severity) => {
    const t = classify(status, oldStatus);
    expect(t.category).toBe(category);
    expect(t.severity).toBe(severity);
    expect(t.resubmitAdvised).toBe(false);
    expect(t.hoursInError).toBeUndefined();
  });

  it('a pending request reminds staff that only one request may image at a time', () => {
    expect(classify('pending', 'pending').nextSteps[0]).toMatch(/at most one request may be started\/imaging/);
  });

  it('a failed request with an error text is classified by its error', () => {
    expect(classify('failed', ex.REAL_VALIDATING_NONETYPE).category).toBe('cache');
  });

  it('a re-submitted request (pending with the old error) says where approval resumes', () => {
    const t = classify('pending', ex.REAL_VALIDATING_NONETYPE);
    expect(t).toMatchObject({ category: 'pending', severity: 'warning', step: 'validating', resubmitAdvised: false });
    expect(t.summary).toBe("re-submitted after imaging cache problem: validating: AttributeError: 'NoneType' object has no attribute 'id'");
    expect(t.nextSteps.at(-1)).toMatch(/resumes at validating/);
    expect(t.nextSteps.some((s) => /re-submit/i.test(s))).toBe(false);
    expect(t.nextSteps.join('\n')).toContain(RESTART_COMMAND);
  });

  it('a re-submitted snapshot failure restarts from the snapshot and names the host cause', () => {
    const t = classify('pending', ex.REAL_PENDING_NO_SPACE);
    expect(t.step).toBe('pending');
    expect(t.evidence).toBe('No space left on device');
    expect(t.nextSteps.at(-1)).toMatch(/restarts from the snapshot/);
    expect(t.nextSteps.join('\n')).toMatch(/Out of disk space/);
  });
});

describe('durations in summaries', () => {
  it('writes an old legacy error in years, not thousands of days', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    const triage = classifyMachineRequest({
      status: 'validating',
      oldStatus: '(validating) - ERROR - Exception("boom",) Exception:\'Traceback\'',
      statusSince: new Date(now.getTime() - 1100 * 24 * 3_600_000),
      now,
      stuckAfterMinutes: 120,
    });
    expect(triage.summary).toContain('(in error 3 yr)');
  });
});
