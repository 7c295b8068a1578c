-- CreateTable
CREATE TABLE "coverage_person" (
    "patient_id" TEXT NOT NULL,
    "region_id" TEXT,
    "cell" TEXT,
    "entries" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "coverage_person_pkey" PRIMARY KEY ("patient_id")
);

-- CreateTable
CREATE TABLE "coverage_count" (
    "region_id" TEXT NOT NULL,
    "dim" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "product_key" TEXT NOT NULL,
    "dose" INTEGER NOT NULL,
    "vaccinated" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "coverage_count_pkey" PRIMARY KEY ("region_id","dim","product_key","dose","key")
);

-- CreateTable
CREATE TABLE "coverage_population" (
    "region_id" TEXT NOT NULL,
    "dim" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "population" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "coverage_population_pkey" PRIMARY KEY ("region_id","dim","key")
);

-- CreateTable
CREATE TABLE "coverage_daily" (
    "region_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "product_id" TEXT NOT NULL,
    "dose" INTEGER NOT NULL,
    "doses" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "coverage_daily_pkey" PRIMARY KEY ("region_id","day","product_id","dose")
);


-- Hand-written constraints (Prisma cannot express them) below.

-- R29 coverage, kept by the database. Any code path that writes a dose (administration,
-- historical doses, voids, identity changes, merges, bulk loads) moves the counters in the same
-- transaction, through statement-level triggers with transition tables (set-based, so a bulk
-- insert of 10,000 doses is one pass, and a single dose is a few index lookups).
--
-- Per patient, `coverage_person` holds where the person counts (region, and the cell
-- "municipality|birth year|sex" of their register entry) and a compact list of what they count
-- for (US = chr(31)): "L<US>productKey<US>dose<US>unit<US>careProvider" per dose level reached,
-- "D<US>productKey<US>due date" / "O<US>productKey<US>due date" for dropout. A change recomputes
-- the entries of the patients it touches (coverage_entries); the difference new − old is
-- expanded into the counters' dimensions (coverage_dims) and added. The rebuild job recomputes
-- everything with the same definitions and compares (coverage_rebuild).
--
-- Definitions:
-- * a person counts when their patient record's identity number is in population_register;
--   they count in the register entry's region, municipality, birth year and sex;
-- * "at least dose N" of a product key ('*' any product, 'area:<disease area>', a product id):
--   the highest dose_number among the person's GIVEN (not voided) doses of that key is >= N,
--   historical doses included;
-- * careProvider/unit of dose N: the provider/unit of the person's earliest GIVEN dose with
--   dose_number N of that key ('' when there is none — a gap, or a historical dose with no unit);
-- * dropout (dose 1 -> 2, product keys whose dose 1 has an interval): counted per due date
--   (dose 1's given_on + the dose 1 product's dose_interval_days); "open" means
--   no dose >= 2 of the key yet. Readers sum the due dates up to today.

CREATE INDEX "coverage_daily_region_day_idx" ON "coverage_daily" ("region_id", "day");

-- Age group of a birth year on a day: age attained during that year (as the national
-- vaccination statistics count), 0-17, 18-29, 30-39 ... 70-79, 80+.
CREATE FUNCTION coverage_age_group(birth_year int, on_day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- one expression, so that the planner inlines it into the queries that group by it
  SELECT CASE WHEN extract(year FROM on_day)::int - birth_year < 18 THEN '0-17'
              WHEN extract(year FROM on_day)::int - birth_year < 30 THEN '18-29'
              WHEN extract(year FROM on_day)::int - birth_year >= 80 THEN '80+'
              ELSE ((extract(year FROM on_day)::int - birth_year) / 10 * 10)::text || '-'
                   || ((extract(year FROM on_day)::int - birth_year) / 10 * 10 + 9)::text END
$$;

CREATE FUNCTION coverage_entries(ids text[])
RETURNS TABLE (patient_id text, region_id text, cell text, entry text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH person AS (
    SELECT pa.id, pr.region_id,
           pr.municipality_code || '|' || extract(year FROM pr.birth_date)::int::text || '|' || pr.sex::text AS cell
      FROM (SELECT DISTINCT s.id FROM unnest(ids) AS s(id)) s
      JOIN patient pa ON pa.id = s.id
      JOIN population_register pr ON pr.identity_number = pa.identity_number
  ), dose AS (
    SELECT v.patient_id, k.pk, v.dose_number, v.unit_id, v.care_provider_id, v.given_on, v.given_at,
           v.id, p.dose_interval_days
      FROM person
      JOIN vaccination v ON v.patient_id = person.id AND v.status = 'GIVEN'
      JOIN product p ON p.id = v.product_id
      CROSS JOIN LATERAL (VALUES ('*'), ('area:' || p.disease_area), (p.id)) AS k(pk)
  ), top AS (
    SELECT d.patient_id, d.pk, max(d.dose_number) AS max_dose FROM dose d GROUP BY 1, 2
  ), first_of AS (
    SELECT DISTINCT ON (d.patient_id, d.pk, d.dose_number)
           d.patient_id, d.pk, d.dose_number, d.unit_id, d.care_provider_id, d.given_on, d.dose_interval_days
      FROM dose d ORDER BY d.patient_id, d.pk, d.dose_number, d.given_at, d.id
  ), e AS (
    SELECT t.patient_id,
           concat_ws(chr(31), 'L', t.pk, n.n::text, coalesce(f.unit_id, ''), coalesce(f.care_provider_id, '')) AS entry
      FROM top t CROSS JOIN LATERAL generate_series(1, t.max_dose) AS n(n)
      LEFT JOIN first_of f ON f.patient_id = t.patient_id AND f.pk = t.pk AND f.dose_number = n.n
    UNION ALL
    SELECT f.patient_id, concat_ws(chr(31), x.kind, f.pk, to_char(f.given_on + f.dose_interval_days, 'YYYY-MM-DD'))
      FROM first_of f
      JOIN top t ON t.patient_id = f.patient_id AND t.pk = f.pk
      CROSS JOIN LATERAL (VALUES ('D', true), ('O', t.max_dose < 2)) AS x(kind, counts)
     WHERE f.dose_number = 1 AND f.dose_interval_days IS NOT NULL AND x.counts
  )
  SELECT e.patient_id, p.region_id, p.cell, e.entry
    FROM e JOIN person p ON p.id = e.patient_id;
END
$$;

-- The counter rows one entry of a person in a cell counts in.
CREATE FUNCTION coverage_dims(cell text, entry text)
RETURNS TABLE (dim text, product_key text, dose int, key text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT d.dim, split_part(entry, chr(31), 2), split_part(entry, chr(31), 3)::int, d.key
    FROM (VALUES ('region', ''), ('municipality', split_part(cell, '|', 1)), ('birthYear', split_part(cell, '|', 2)),
                 ('sex', split_part(cell, '|', 3)), ('cell', cell),
                 ('unit', split_part(entry, chr(31), 4)), ('careProvider', split_part(entry, chr(31), 5))) AS d(dim, key)
   WHERE left(entry, 1) = 'L'
  UNION ALL
  SELECT CASE left(entry, 1) WHEN 'D' THEN 'dropoutDue' ELSE 'dropoutOpen' END, split_part(entry, chr(31), 2), 1,
         split_part(entry, chr(31), 3)
   WHERE left(entry, 1) IN ('D', 'O')
$$;

-- Recomputes the entries of these patients and moves the counters by new − old. Returns the
-- counter rows that changed, with their new figure (for the live event).
CREATE FUNCTION coverage_apply(ids text[])
RETURNS TABLE (region_id text, dim text, product_key text, dose int, key text, vaccinated int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  -- One row per patient, locked in id order: writers of one person's doses queue here, and the
  -- next statement's snapshot then sees what the one before committed.
  INSERT INTO coverage_person (patient_id)
  SELECT DISTINCT s.id FROM unnest(ids) AS s(id) WHERE s.id IS NOT NULL ORDER BY 1
  ON CONFLICT DO NOTHING;
  PERFORM 1 FROM (SELECT DISTINCT u.id FROM unnest(ids) AS u(id)) s
    JOIN coverage_person cp ON cp.patient_id = s.id ORDER BY cp.patient_id FOR UPDATE OF cp;
  RETURN QUERY
  WITH ids_ AS (
    SELECT DISTINCT u.id FROM unnest(ids) AS u(id) WHERE u.id IS NOT NULL
  ), fresh AS MATERIALIZED (
    SELECT * FROM coverage_entries(ids)
  ), fresh_person AS (
    SELECT f.patient_id, min(f.region_id) AS region_id, min(f.cell) AS cell,
           array_agg(f.entry ORDER BY f.entry) AS entries
      FROM fresh f GROUP BY 1
  ), old AS (
    SELECT cp.patient_id, cp.region_id, cp.cell, u.entry
      FROM ids_ JOIN coverage_person cp ON cp.patient_id = ids_.id
      CROSS JOIN LATERAL unnest(cp.entries) AS u(entry)
  ), delta_raw AS (
    SELECT x.region_id, x.cell, x.entry, sum(x.d)::int AS d
      FROM (SELECT o.region_id, o.cell, o.entry, -1 AS d FROM old o
            UNION ALL SELECT f.region_id, f.cell, f.entry, 1 FROM fresh f) x
     GROUP BY 1, 2, 3 HAVING sum(x.d) <> 0
  ), delta AS (
    SELECT r.region_id, x.dim, x.product_key, x.dose, x.key, sum(r.d)::int AS d
      FROM delta_raw r CROSS JOIN LATERAL coverage_dims(r.cell, r.entry) x
     GROUP BY 1, 2, 3, 4, 5 HAVING sum(r.d) <> 0
  ), people AS (
    UPDATE coverage_person cp
       SET region_id = n.region_id, cell = n.cell, entries = n.entries
      FROM (SELECT ids_.id, fp.region_id, fp.cell, coalesce(fp.entries, ARRAY[]::text[]) AS entries
              FROM ids_ LEFT JOIN fresh_person fp ON fp.patient_id = ids_.id) n
     WHERE cp.patient_id = n.id
       AND (cp.entries IS DISTINCT FROM n.entries OR cp.region_id IS DISTINCT FROM n.region_id
            OR cp.cell IS DISTINCT FROM n.cell)
    RETURNING 1
  ), counted AS (
    INSERT INTO coverage_count AS c (region_id, dim, product_key, dose, key, vaccinated)
    SELECT d.region_id, d.dim, d.product_key, d.dose, d.key, d.d FROM delta d
     ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (region_id, dim, product_key, dose, key) DO UPDATE SET vaccinated = c.vaccinated + excluded.vaccinated
    RETURNING c.region_id, c.dim, c.product_key, c.dose, c.key, c.vaccinated
  )
  SELECT c.region_id, c.dim, c.product_key, c.dose, c.key, c.vaccinated FROM counted c;
END
$$;

-- One `coverage.changed` event per region touched, versioned on topic `coverage:region:<id>`
-- in this transaction: the day's dose count, the changed rows with their new absolute figures
-- (age groups summed from birth years; unit and care provider rows over the region's
-- population), the changed daily cells, the dropout totals of changed product keys. A bulk
-- change sends `resync: true` instead of thousands of rows.
CREATE FUNCTION coverage_emit(changed jsonb, daily jsonb, extra_regions text[], cause text) RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r text;
  today date := current_date;
  tomorrow text := to_char(current_date + 1, 'YYYY-MM-DD');
  n_changed int;
  n_daily int;
  resync boolean;
  rows_json jsonb;
  daily_json jsonb;
  dropout_json jsonb;
  doses_today int;
  ver bigint;
  total int;
BEGIN
  FOR r IN
    SELECT DISTINCT x FROM (
      SELECT c->>'region_id' AS x FROM jsonb_array_elements(coalesce(changed, '[]'::jsonb)) c
      UNION SELECT d->>'region_id' FROM jsonb_array_elements(coalesce(daily, '[]'::jsonb)) d
      UNION SELECT unnest(coalesce(extra_regions, ARRAY[]::text[]))) s
     WHERE x IS NOT NULL ORDER BY 1
  LOOP
    SELECT count(*) INTO n_changed FROM jsonb_array_elements(coalesce(changed, '[]'::jsonb)) c
     WHERE c->>'region_id' = r AND c->>'dim' <> 'cell';
    SELECT count(*) INTO n_daily FROM jsonb_array_elements(coalesce(daily, '[]'::jsonb)) d WHERE d->>'region_id' = r;
    resync := n_changed > 400 OR n_daily > 100 OR r = ANY(coalesce(extra_regions, ARRAY[]::text[]));
    SELECT coalesce(sum(cd.doses), 0)::int INTO doses_today FROM coverage_daily cd
     WHERE cd.region_id = r AND cd.day = today;
    rows_json := '[]'::jsonb; daily_json := '[]'::jsonb; dropout_json := '[]'::jsonb;
    IF NOT resync THEN
      SELECT coalesce(cp.population, 0) INTO total FROM coverage_population cp
       WHERE cp.region_id = r AND cp.dim = 'region' AND cp.key = '';
      total := coalesce(total, 0);
      WITH ch AS (
        SELECT c->>'dim' AS dim, c->>'product_key' AS pk, (c->>'dose')::int AS dose, c->>'key' AS key,
               (c->>'vaccinated')::int AS vaccinated
          FROM jsonb_array_elements(changed) c
         WHERE c->>'region_id' = r AND c->>'dim' IN ('region', 'municipality', 'birthYear', 'sex', 'careProvider', 'unit')
      ), plain AS (
        SELECT ch.dim AS group_by, ch.key, ch.pk, ch.dose, ch.vaccinated,
               CASE WHEN ch.dim IN ('careProvider', 'unit') THEN total ELSE coalesce(pp.population, 0) END AS population
          FROM ch
          LEFT JOIN coverage_population pp ON pp.region_id = r AND pp.dim = ch.dim AND pp.key = ch.key
         WHERE ch.dim <> 'birthYear'
      ), ag AS (
        SELECT DISTINCT coverage_age_group(ch.key::int, today) AS key, ch.pk, ch.dose FROM ch WHERE ch.dim = 'birthYear'
      ), ag_years AS (
        SELECT ag.*, (extract(year FROM today)::int - y.hi)::text AS y_from, (extract(year FROM today)::int - y.lo)::text AS y_to
          FROM ag CROSS JOIN LATERAL (
            SELECT rtrim(split_part(ag.key, '-', 1), '+')::int AS lo,
                   CASE WHEN ag.key LIKE '%+' THEN 200 ELSE split_part(ag.key, '-', 2)::int END AS hi) y
      ), aged AS (
        SELECT 'ageGroup' AS group_by, a.key, a.pk, a.dose,
               (SELECT coalesce(sum(cc.vaccinated), 0)::int FROM coverage_count cc
                 WHERE cc.region_id = r AND cc.dim = 'birthYear' AND cc.product_key = a.pk AND cc.dose = a.dose
                   AND cc.key BETWEEN a.y_from AND a.y_to) AS vaccinated,
               (SELECT coalesce(sum(pp.population), 0)::int FROM coverage_population pp
                 WHERE pp.region_id = r AND pp.dim = 'birthYear' AND pp.key BETWEEN a.y_from AND a.y_to) AS population
          FROM ag_years a
      )
      SELECT coalesce(jsonb_agg(jsonb_build_object('groupBy', x.group_by, 'key', x.key, 'productKey', x.pk,
               'dose', x.dose, 'vaccinated', x.vaccinated, 'population', x.population)
               ORDER BY x.group_by, x.key, x.pk, x.dose), '[]'::jsonb)
        INTO rows_json
        FROM (SELECT * FROM plain UNION ALL SELECT * FROM aged) x;
      SELECT coalesce(jsonb_agg(jsonb_build_object('date', to_char(cd.day, 'YYYY-MM-DD'), 'productId', cd.product_id,
               'dose', cd.dose, 'doses', cd.doses) ORDER BY cd.day, cd.product_id, cd.dose), '[]'::jsonb)
        INTO daily_json
        FROM (SELECT DISTINCT (d->>'day')::date AS day, d->>'product_id' AS product_id, (d->>'dose')::int AS dose
                FROM jsonb_array_elements(daily) d WHERE d->>'region_id' = r) k
        JOIN coverage_daily cd ON cd.region_id = r AND cd.day = k.day AND cd.product_id = k.product_id AND cd.dose = k.dose;
      SELECT coalesce(jsonb_agg(jsonb_build_object('productKey', k.pk, 'due', t.due, 'open', t.open) ORDER BY k.pk), '[]'::jsonb)
        INTO dropout_json
        FROM (SELECT DISTINCT c->>'product_key' AS pk FROM jsonb_array_elements(changed) c
               WHERE c->>'region_id' = r AND c->>'dim' IN ('dropoutDue', 'dropoutOpen')) k
        CROSS JOIN LATERAL (
          SELECT coalesce(sum(cc.vaccinated) FILTER (WHERE cc.dim = 'dropoutDue'), 0)::int AS due,
                 coalesce(sum(cc.vaccinated) FILTER (WHERE cc.dim = 'dropoutOpen'), 0)::int AS open
            FROM coverage_count cc
           WHERE cc.region_id = r AND cc.dim IN ('dropoutDue', 'dropoutOpen') AND cc.product_key = k.pk
             AND cc.dose = 1 AND cc.key < tomorrow) t;
    END IF;
    INSERT INTO topic_version AS tv (topic_key, version) VALUES ('coverage:region:' || r, 1)
    ON CONFLICT (topic_key) DO UPDATE SET version = tv.version + 1
    RETURNING tv.version INTO ver;
    INSERT INTO outbox_event (topic, topic_key, version, event_type, payload)
    VALUES ('coverage', 'coverage:region:' || r, ver, 'coverage.changed',
            jsonb_build_object('regionId', r, 'cause', cause, 'date', to_char(today, 'YYYY-MM-DD'),
                               'dosesToday', doses_today, 'rows', rows_json, 'daily', daily_json,
                               'dropout', dropout_json, 'resync', resync));
    PERFORM pg_notify('vaxops_outbox', '');
  END LOOP;
END
$$;

-- Doses per day at the region's units: GIVEN, not historical, with a unit.
CREATE FUNCTION coverage_daily_apply(delta jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE out jsonb;
BEGIN
  WITH d AS (
    SELECT x->>'region_id' AS region_id, (x->>'day')::date AS day, x->>'product_id' AS product_id,
           (x->>'dose')::int AS dose, sum((x->>'d')::int)::int AS d
      FROM jsonb_array_elements(delta) x GROUP BY 1, 2, 3, 4 HAVING sum((x->>'d')::int) <> 0
  ), up AS (
    INSERT INTO coverage_daily AS cd (region_id, day, product_id, dose, doses)
    SELECT region_id, day, product_id, dose, d FROM d ORDER BY 1, 2, 3, 4
    ON CONFLICT (region_id, day, product_id, dose) DO UPDATE SET doses = cd.doses + excluded.doses
    RETURNING cd.region_id, cd.day, cd.product_id, cd.dose
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('region_id', region_id, 'day', day, 'product_id', product_id, 'dose', dose)), '[]'::jsonb)
    INTO out FROM up;
  RETURN out;
END
$$;

CREATE FUNCTION coverage_on_vaccination() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
  daily_delta jsonb;
  changed jsonb;
  daily_changed jsonb;
BEGIN
  -- coverage_person first, always: the rebuild locks it, and everything else after it
  LOCK TABLE coverage_person IN ROW EXCLUSIVE MODE;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.patient_id) INTO ids FROM new_rows n;
    SELECT jsonb_agg(jsonb_build_object('region_id', u.region_id, 'day', n.given_on, 'product_id', n.product_id,
                                        'dose', n.dose_number, 'd', 1))
      INTO daily_delta
      FROM new_rows n JOIN unit u ON u.id = n.unit_id
     WHERE n.status = 'GIVEN' AND NOT n.historical;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT x.pid) INTO ids
      FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (VALUES (o.patient_id), (n.patient_id)) AS x(pid)
     WHERE (o.status, o.patient_id, o.dose_number, o.product_id, o.unit_id, o.care_provider_id, o.given_on, o.given_at, o.historical)
           IS DISTINCT FROM
           (n.status, n.patient_id, n.dose_number, n.product_id, n.unit_id, n.care_provider_id, n.given_on, n.given_at, n.historical);
    IF ids IS NULL THEN RETURN NULL; END IF;
    SELECT jsonb_agg(x) INTO daily_delta FROM (
      SELECT jsonb_build_object('region_id', u.region_id, 'day', o.given_on, 'product_id', o.product_id,
                                'dose', o.dose_number, 'd', -1) AS x
        FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN unit u ON u.id = o.unit_id
       WHERE o.status = 'GIVEN' AND NOT o.historical
         AND (o.status, o.dose_number, o.product_id, o.unit_id, o.given_on, o.historical)
             IS DISTINCT FROM (n.status, n.dose_number, n.product_id, n.unit_id, n.given_on, n.historical)
      UNION ALL
      SELECT jsonb_build_object('region_id', u.region_id, 'day', n.given_on, 'product_id', n.product_id,
                                'dose', n.dose_number, 'd', 1)
        FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN unit u ON u.id = n.unit_id
       WHERE n.status = 'GIVEN' AND NOT n.historical
         AND (o.status, o.dose_number, o.product_id, o.unit_id, o.given_on, o.historical)
             IS DISTINCT FROM (n.status, n.dose_number, n.product_id, n.unit_id, n.given_on, n.historical)) s;
  ELSE
    SELECT array_agg(DISTINCT o.patient_id) INTO ids FROM old_rows o;
    SELECT jsonb_agg(jsonb_build_object('region_id', u.region_id, 'day', o.given_on, 'product_id', o.product_id,
                                        'dose', o.dose_number, 'd', -1))
      INTO daily_delta
      FROM old_rows o JOIN unit u ON u.id = o.unit_id
     WHERE o.status = 'GIVEN' AND NOT o.historical;
  END IF;
  SELECT jsonb_agg(to_jsonb(a)) INTO changed FROM coverage_apply(ids) a;
  daily_changed := coverage_daily_apply(coalesce(daily_delta, '[]'::jsonb));
  PERFORM coverage_emit(changed, daily_changed, NULL, 'vaccination.' || lower(TG_OP));
  RETURN NULL;
END
$$;

CREATE TRIGGER coverage_vaccination_insert AFTER INSERT ON vaccination
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_vaccination();
CREATE TRIGGER coverage_vaccination_update AFTER UPDATE ON vaccination
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_vaccination();
CREATE TRIGGER coverage_vaccination_delete AFTER DELETE ON vaccination
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_vaccination();

-- R2: a changed identity number can make a person match (or leave) the population register.
CREATE FUNCTION coverage_on_patient() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
  changed jsonb;
BEGIN
  LOCK TABLE coverage_person IN ROW EXCLUSIVE MODE;
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(n.id) INTO ids FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.identity_number IS DISTINCT FROM n.identity_number;
  ELSE
    SELECT array_agg(o.id) INTO ids FROM old_rows o;
  END IF;
  IF ids IS NULL THEN RETURN NULL; END IF;
  SELECT jsonb_agg(to_jsonb(a)) INTO changed FROM coverage_apply(ids) a;
  PERFORM coverage_emit(changed, NULL, NULL, 'patient.' || lower(TG_OP));
  RETURN NULL;
END
$$;

CREATE TRIGGER coverage_patient_update AFTER UPDATE ON patient
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_patient();
CREATE TRIGGER coverage_patient_delete AFTER DELETE ON patient
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_patient();

-- The denominators, and the people whose register entry came, went or changed.
CREATE FUNCTION coverage_on_population() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids text[];
  regions text[];
  changed jsonb;
BEGIN
  LOCK TABLE coverage_person IN ROW EXCLUSIVE MODE;
  CREATE TEMP TABLE IF NOT EXISTS coverage_pop_delta (identity_number text, region_id text, muni text,
                                                      birth_year int, sex text, d int) ON COMMIT DROP;
  TRUNCATE coverage_pop_delta;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO coverage_pop_delta
    SELECT n.identity_number, n.region_id, n.municipality_code, extract(year FROM n.birth_date)::int, n.sex::text, 1
      FROM new_rows n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO coverage_pop_delta
    SELECT o.identity_number, o.region_id, o.municipality_code, extract(year FROM o.birth_date)::int, o.sex::text, -1
      FROM old_rows o;
  END IF;
  WITH e AS (
    SELECT d.region_id, x.dim, x.key, sum(d.d)::int AS d
      FROM coverage_pop_delta d
      CROSS JOIN LATERAL (VALUES ('region', ''), ('municipality', d.muni), ('birthYear', d.birth_year::text),
                                 ('sex', d.sex), ('cell', d.muni || '|' || d.birth_year::text || '|' || d.sex)) AS x(dim, key)
     GROUP BY 1, 2, 3 HAVING sum(d.d) <> 0
  )
  INSERT INTO coverage_population AS cp (region_id, dim, key, population)
  SELECT region_id, dim, key, d FROM e ORDER BY 1, 2, 3
  ON CONFLICT (region_id, dim, key) DO UPDATE SET population = cp.population + excluded.population;
  SELECT array_agg(DISTINCT pa.id) INTO ids
    FROM patient pa WHERE pa.identity_number IN (SELECT identity_number FROM coverage_pop_delta);
  SELECT array_agg(DISTINCT region_id) INTO regions FROM coverage_pop_delta;
  SELECT jsonb_agg(to_jsonb(a)) INTO changed FROM coverage_apply(ids) a;
  PERFORM coverage_emit(changed, NULL, regions, 'population.' || lower(TG_OP));
  RETURN NULL;
END
$$;

CREATE TRIGGER coverage_population_insert AFTER INSERT ON population_register
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_population();
CREATE TRIGGER coverage_population_update AFTER UPDATE ON population_register
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_population();
CREATE TRIGGER coverage_population_delete AFTER DELETE ON population_register
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_on_population();

-- From scratch, with the same definitions: compares with the incremental figures and (when
-- `do_replace`) puts the fresh ones in place, holding the counters' lock so that no dose written
-- meanwhile is counted twice or lost. Returns the rows that differed per table.
CREATE FUNCTION coverage_rebuild(do_replace boolean)
RETURNS TABLE (tbl text, mismatched bigint, total bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('statement_timeout', '0', true);
  -- Comparing needs no lock when run in one REPEATABLE READ snapshot (the counters are written in
  -- the same transactions as the doses); replacing does, so that no dose is lost meanwhile.
  IF do_replace THEN
    LOCK TABLE coverage_person IN EXCLUSIVE MODE;
    LOCK TABLE coverage_count, coverage_population, coverage_daily IN EXCLUSIVE MODE;
  END IF;
  DROP TABLE IF EXISTS coverage_fresh_entries, coverage_fresh_count, coverage_fresh_population, coverage_fresh_daily;
  CREATE TEMP TABLE coverage_fresh_entries ON COMMIT DROP AS
    SELECT * FROM coverage_entries(ARRAY(SELECT DISTINCT v.patient_id FROM vaccination v));
  CREATE TEMP TABLE coverage_fresh_count ON COMMIT DROP AS
    SELECT e.region_id, x.dim, x.product_key, x.dose, x.key, sum(e.n)::int AS vaccinated
      FROM (SELECT region_id, cell, entry, count(*) AS n FROM coverage_fresh_entries GROUP BY 1, 2, 3) e
      CROSS JOIN LATERAL coverage_dims(e.cell, e.entry) x
     GROUP BY 1, 2, 3, 4, 5;
  CREATE TEMP TABLE coverage_fresh_population ON COMMIT DROP AS
    SELECT pr.region_id, x.dim, x.key, count(*)::int AS population
      FROM population_register pr
      CROSS JOIN LATERAL (VALUES ('region', ''), ('municipality', pr.municipality_code),
                                 ('birthYear', extract(year FROM pr.birth_date)::int::text), ('sex', pr.sex::text),
                                 ('cell', pr.municipality_code || '|' || extract(year FROM pr.birth_date)::int::text || '|' || pr.sex::text)) AS x(dim, key)
     GROUP BY 1, 2, 3;
  CREATE TEMP TABLE coverage_fresh_daily ON COMMIT DROP AS
    SELECT u.region_id, v.given_on AS day, v.product_id, v.dose_number AS dose, count(*)::int AS doses
      FROM vaccination v JOIN unit u ON u.id = v.unit_id
     WHERE v.status = 'GIVEN' AND NOT v.historical
     GROUP BY 1, 2, 3, 4;

  RETURN QUERY
  SELECT 'coverage_count', count(*) FILTER (WHERE coalesce(f.vaccinated, 0) <> coalesce(c.vaccinated, 0)), count(f.*)
    FROM coverage_fresh_count f
    FULL JOIN coverage_count c USING (region_id, dim, product_key, dose, key);
  RETURN QUERY
  SELECT 'coverage_population', count(*) FILTER (WHERE coalesce(f.population, 0) <> coalesce(c.population, 0)), count(f.*)
    FROM coverage_fresh_population f
    FULL JOIN coverage_population c USING (region_id, dim, key);
  RETURN QUERY
  SELECT 'coverage_daily', count(*) FILTER (WHERE coalesce(f.doses, 0) <> coalesce(c.doses, 0)), count(f.*)
    FROM coverage_fresh_daily f
    FULL JOIN coverage_daily c USING (region_id, day, product_id, dose);
  RETURN QUERY
  SELECT 'coverage_person',
         count(*) FILTER (WHERE coalesce(f.entries, ARRAY[]::text[]) <> coalesce(c.entries, ARRAY[]::text[])
                            OR (f.patient_id IS NOT NULL AND (f.cell IS DISTINCT FROM c.cell OR f.region_id IS DISTINCT FROM c.region_id))),
         count(f.*)
    FROM (SELECT patient_id, min(region_id) AS region_id, min(cell) AS cell, array_agg(entry ORDER BY entry) AS entries
            FROM coverage_fresh_entries GROUP BY 1) f
    FULL JOIN (SELECT patient_id, region_id, cell, entries FROM coverage_person WHERE cardinality(entries) > 0) c USING (patient_id);

  IF do_replace THEN
    DELETE FROM coverage_count;
    INSERT INTO coverage_count (region_id, dim, product_key, dose, key, vaccinated)
    SELECT region_id, dim, product_key, dose, key, vaccinated FROM coverage_fresh_count;
    DELETE FROM coverage_population;
    INSERT INTO coverage_population (region_id, dim, key, population)
    SELECT region_id, dim, key, population FROM coverage_fresh_population;
    DELETE FROM coverage_daily;
    INSERT INTO coverage_daily (region_id, day, product_id, dose, doses)
    SELECT region_id, day, product_id, dose, doses FROM coverage_fresh_daily;
    DELETE FROM coverage_person;
    INSERT INTO coverage_person (patient_id, region_id, cell, entries)
    SELECT patient_id, min(region_id), min(cell), array_agg(entry ORDER BY entry) FROM coverage_fresh_entries GROUP BY 1;
  END IF;
END
$$;
