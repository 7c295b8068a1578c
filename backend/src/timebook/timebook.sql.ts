import { raw } from '../infra/sql';

/** A HELD slot whose hold has run out is FREE, everywhere it is read. */
export const EFFECTIVE_STATUS = raw(
  `(CASE WHEN s.status = 'HELD' AND s.held_until <= now() THEN 'FREE' ELSE s.status::text END)`,
);

/** The JSON of one slot as clients see it (`SlotView`); nulls are left out. */
export const SLOT_VIEW_JSON = raw(`json_strip_nulls(json_build_object(
  'id', s.id, 'start', s.starts_at, 'end', s.ends_at, 'resource', r.kind, 'column', s."column",
  'status', (CASE WHEN s.status = 'HELD' AND s.held_until <= now() THEN 'FREE' ELSE s.status::text END),
  'note', blk.note, 'bookingId', b.id, 'visitTypeId', b.visit_type_id,
  'heldUntil', CASE WHEN s.status = 'HELD' AND s.held_until > now() THEN s.held_until END))`);

export const timebookKey = (unitId: string) => `timebook:${unitId}`;
