import { eq } from 'drizzle-orm';
import type { Executor } from '../client.js';
import { application, applicationVersion } from '../atmosphere-schema.js';

/*
 * Embedded (demo) mode only: what `PATCH /api/v2/image_versions/<id>` and `PATCH /api/v2/images/<id>`
 * save (ImageVersionSerializer, ImageSerializer), applied to the bot's own database.
 */

/** Moves a version to another application under a name; false when the version does not exist. */
export async function moveApplicationVersionRow(db: Executor, input: { versionId: string; applicationId: number; name: string }): Promise<boolean> {
  const rows = await db
    .update(applicationVersion)
    .set({ applicationId: input.applicationId, name: input.name })
    .where(eq(applicationVersion.id, input.versionId))
    .returning({ id: applicationVersion.id });
  return rows.length === 1;
}

/** Sets `application.private`; false when the application does not exist. */
export async function setApplicationPrivateRow(db: Executor, id: number, isPrivate: boolean): Promise<boolean> {
  const rows = await db.update(application).set({ private: isPrivate }).where(eq(application.id, id)).returning({ id: application.id });
  return rows.length === 1;
}
