import { describe, expect, it } from 'vitest';
import {
  parseOldStatus,
  summarizeOldStatus,
  unescapePythonString,
} from '../../../src/handlers/imaging/summarize-old-status.js';
import * as ex from '../../fixtures/old-status-examples.js';

const NONETYPE = "AttributeError: 'NoneType' object has no attribute 'id'";

describe('summarizeOldStatus', () => {
  it.each([
    ['guide: validating max instances', ex.GUIDE_VALIDATING_MAX_INSTANCES, 'validating: Error ... Maximum number of instances exceeded'],
    ['guide: (processing - <IMAGE_ID>) Error', ex.GUIDE_PROCESSING_ERROR, 'processing: Error ...'],
    ['guide: (processing - ) Error', ex.GUIDE_PROCESSING_ERROR_NO_ID, 'processing: Error ...'],
    ['guide: (validating) Error', ex.GUIDE_VALIDATING_ERROR, 'validating: Error ...'],
    ['guide: traceback tail', ex.GUIDE_NONETYPE_TAIL, NONETYPE],
    ['guide: (imaging) Exception', ex.GUIDE_IMAGING_EXCEPTION, 'imaging: Exception ...'],
    ['guide: (imaging)', ex.GUIDE_IMAGING_PREFIX_ONLY, 'imaging'],
    ['guide: processing + serverRef', ex.GUIDE_PROCESSING_SERVERREF, 'processing - <IMAGE_ID> + serverRef... does not exist'],
    ['guide: validating + ERROR', ex.GUIDE_VALIDATING_NONETYPE, `validating: ${NONETYPE}`],
    ['guide: level two example', ex.GUIDE_TRIAGE_EXAMPLE, `validating: ${NONETYPE}`],
    ['real: max instances', ex.REAL_VALIDATING_MAX_INSTANCES, 'validating: BaseHTTPError: Maximum number of instances exceeded'],
    ['real: max instances v2', ex.REAL_VALIDATING_MAX_INSTANCES_V2, 'validating: BaseHTTPError: Maximum number of instances exceeded'],
    ['real: validating NoneType', ex.REAL_VALIDATING_NONETYPE, `validating: ${NONETYPE}`],
    ['real: processing serverRef', ex.REAL_PROCESSING_SERVERREF, `processing: NotFound: serverRef ${ex.GLANCE_ID} does not exist (HTTP 404)`],
    ['real: processing NoneType v2', ex.REAL_PROCESSING_NONETYPE_V2, `processing: ${NONETYPE}`],
    ['real: pending, no space', ex.REAL_PENDING_NO_SPACE, 'pending: IOError: [Errno 28] No space left on device'],
    ['real: imaging, nbd', ex.REAL_IMAGING_NBD_MISSING, "imaging: IOError: [Errno 2] No such file or directory: '/dev/nbd0'"],
    ['real: imaging, bad fs', ex.REAL_IMAGING_BAD_FILESYSTEM, 'imaging: Exception: mount: wrong fs type, bad option, bad superblock on /dev/nbd0p1'],
    ['real: validation failed', ex.REAL_VALIDATING_FAILED, `validating: Exception: Validation of new Image ${ex.GLANCE_ID} has *FAILED*`],
    ['real: KeyError', ex.REAL_PROCESSING_KEY_ERROR, "processing: KeyError: 'tags'"],
    ['real: nested prefix, newest error', ex.REAL_NESTED_PREFIX, 'validating: BaseHTTPError: Maximum number of instances exceeded'],
    ['real: no prefix', ex.REAL_NO_PREFIX, "KeyError: 'tags'"],
    ['real: result None, from the traceback', ex.REAL_RESULT_NONE, `validating: ValueError: image '${ex.GLANCE_ID}' is not active`],
    ['old format: imaging, no space', ex.OLD_FORMAT_IMAGING_NO_SPACE, 'imaging: IOError: [Errno 28] No space left on device'],
    ['old format: (imaging), bare exception name', ex.OLD_FORMAT_PREFIXED_KEYERROR, 'imaging: KeyError'],
    ['demo: legacy (imaging) traceback', "(imaging) Exception:'Traceback (most recent call last):\\n  File \"x.py\", line 1, in f\\nIOError: [Errno 28] No space left on device: \\'/storage/a.img\\'\\n'", "imaging: IOError: [Errno 28] No space left on device: '/storage/a.img'"],
    ['progress: pending', ex.PROGRESS_PENDING, 'pending'],
    ['progress: processing', ex.PROGRESS_PROCESSING, `processing - ${ex.GLANCE_ID}`],
    ['progress: completed', ex.PROGRESS_COMPLETED, 'completed'],
  ])('%s', (_name, oldStatus, expected) => {
    expect(summarizeOldStatus(oldStatus)).toBe(expected);
  });

  it('uses the exception repr when there is no traceback, including py2 u-strings and one-quote escapes', () => {
    expect(summarizeOldStatus(String.raw`(validating) - ERROR - Exception(u'can\'t launch',)`)).toBe("validating: Exception: can't launch");
    expect(summarizeOldStatus(String.raw`(validating) - ERROR - OverLimit(413,) Exception:None`)).toBe('validating: OverLimit: 413');
  });

  it('is one line with no Python escapes for every example', () => {
    for (const oldStatus of Object.values(ex)) {
      const line = summarizeOldStatus(oldStatus);
      expect(line).not.toMatch(/\n|\\n|\\'/);
      expect(line.length).toBeLessThanOrEqual(120);
    }
  });

  it('cuts to maxLength with an ellipsis', () => {
    const line = summarizeOldStatus(ex.REAL_PROCESSING_SERVERREF, 40);
    expect(line).toHaveLength(40);
    expect(line).toBe('processing: NotFound: serverRef 3f2a9c1…');
    expect(summarizeOldStatus(ex.REAL_VALIDATING_NONETYPE, 0)).toBe('');
  });

  it('cuts at 120 characters by default', () => {
    const long = `(validating) - ERROR - Exception('${'x'.repeat(300)}',)`;
    const line = summarizeOldStatus(long);
    expect(line).toHaveLength(120);
    expect(line.endsWith('…')).toBe(true);
  });

  it('gives an empty line for no status message', () => {
    expect(summarizeOldStatus(null)).toBe('');
    expect(summarizeOldStatus('')).toBe('');
    expect(summarizeOldStatus('   ')).toBe('');
  });

  it('reads the step and error markers regardless of case', () => {
    expect(summarizeOldStatus("(VALIDATING) - error - KeyError('x',)")).toBe("validating: KeyError: x");
  });
});

describe('old-format tracebacks (no "ERROR - <repr>")', () => {
  it('summarises the exception on the last line, never the first frame, and the triage names the guide cause', async () => {
    const { classifyMachineRequest } = await import('../../../src/handlers/imaging/classify-machine-request.js');
    const parsed = parseOldStatus(ex.OLD_FORMAT_IMAGING_NO_SPACE);
    expect(parsed.exceptionClass).toBe('IOError');
    expect(parsed.traceback).toContain('f.write(chunk)');
    expect(summarizeOldStatus(ex.OLD_FORMAT_IMAGING_NO_SPACE)).not.toContain('Traceback');
    const now = new Date('2026-11-23T17:00:00Z');
    const triage = classifyMachineRequest({ status: 'started', oldStatus: ex.OLD_FORMAT_IMAGING_NO_SPACE, statusSince: now, now, stuckAfterMinutes: 120 });
    expect(triage.category).toBe('imaging-host');
    expect(triage.summary).toContain('imaging: IOError: [Errno 28] No space left on device');
    expect(triage.nextSteps[1]).toMatch(/^Out of disk space/);
  });
});

describe('parseOldStatus', () => {
  it('keeps the resume prefix with the Glance id, as Atmosphere resumes from it', () => {
    const p = parseOldStatus(ex.REAL_PROCESSING_SERVERREF);
    expect(p.prefix).toBe(`processing - ${ex.GLANCE_ID}`);
    expect(p.step).toBe('processing');
    expect(p.errorMarker).toBe('ERROR');
  });

  it('reads the step of a wrapped earlier error from the innermost prefix', () => {
    expect(parseOldStatus(ex.REAL_NESTED_PREFIX)).toMatchObject({ prefix: 'validating', step: 'validating' });
  });

  it('unescapes the traceback and keeps what precedes it as the head', () => {
    const p = parseOldStatus(ex.REAL_VALIDATING_NONETYPE);
    expect(p.head).toBe(`(validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:`);
    const lines = p.traceback?.split('\n') ?? [];
    expect(lines[0]).toBe('Traceback (most recent call last):');
    expect(lines).toContain("    server_params['imageRef'] = kwargs.get('image').id");
    expect(lines.at(-2)).toBe(NONETYPE);
    expect(lines.at(-1)).toBe('');
  });

  it('parses the guide example traceback into its 22 lines', () => {
    const p = parseOldStatus(ex.GUIDE_TRIAGE_EXAMPLE);
    expect(p.traceback?.trimEnd().split('\n')).toHaveLength(22);
    expect(p.exceptionClass).toBe('AttributeError');
    expect(p.exceptionMessage).toBe("'NoneType' object has no attribute 'id'");
  });

  it('does not mistake parentheses inside the exception message for the end of the repr', () => {
    const p = parseOldStatus(String.raw`(validating) - ERROR - NotFound(u'image (id 1) missing) here',) Exception:'Traceback\nsomething odd'`);
    expect(p.traceback).toBe('Traceback\nsomething odd');
    expect(p.exceptionClass).toBe('NotFound');
    expect(p.exceptionMessage).toBe('image (id 1) missing) here');
  });

  it('treats progress values as no error', () => {
    for (const v of [ex.PROGRESS_PENDING, ex.PROGRESS_IMAGING_LEGACY, ex.PROGRESS_PROCESSING, ex.PROGRESS_VALIDATING, ex.PROGRESS_COMPLETED]) {
      expect(parseOldStatus(v).errorMarker).toBeNull();
    }
    expect(parseOldStatus(ex.PROGRESS_PROCESSING).step).toBe('processing');
  });
});

describe('unescapePythonString', () => {
  it('turns Python escapes into characters', () => {
    expect(unescapePythonString(String.raw`a\nb\tc\'d\"e\\f\x41\u00e9`)).toBe('a\nb\tc\'d"e\\fAé');
  });

  it('leaves an escaped backslash before n as a backslash and an n', () => {
    expect(unescapePythonString(String.raw`C:\\new`)).toBe('C:\\new');
  });
});
