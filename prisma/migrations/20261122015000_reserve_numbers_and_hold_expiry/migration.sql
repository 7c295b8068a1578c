-- R4: reserve numbers reserved by staff come from one sequence ("99" + birth date + 4 digits).
-- Starts above the seed's hand-written reserve numbers.
CREATE SEQUENCE IF NOT EXISTS "reserve_number_seq" START WITH 100;

-- R14: the release of expired holds finds them without scanning every slot.
CREATE INDEX IF NOT EXISTS "slot_held_until_idx" ON "slot" ("held_until") WHERE "status" = 'HELD';
