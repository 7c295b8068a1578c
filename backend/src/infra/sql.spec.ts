import { raw, sql } from './sql';

describe('sql tagged template', () => {
  it('turns values into numbered parameters, never into SQL text', () => {
    const evil = "x'; DROP TABLE booking; --";
    const q = sql`SELECT * FROM slot WHERE id = ${evil} AND unit_id = ${'u1'}`.toQuery();
    expect(q.text).toBe('SELECT * FROM slot WHERE id = $1 AND unit_id = $2');
    expect(q.values).toEqual([evil, 'u1']);
  });

  it('composes fragments and keeps the numbering across them', () => {
    const cond = sql`status = ${'FREE'}`;
    const q =
      sql`SELECT 1 FROM slot WHERE unit_id = ${'u1'} AND ${cond} ORDER BY ${raw('starts_at')}`.toQuery();
    expect(q.text).toBe('SELECT 1 FROM slot WHERE unit_id = $1 AND status = $2 ORDER BY starts_at');
    expect(q.values).toEqual(['u1', 'FREE']);
  });
});
