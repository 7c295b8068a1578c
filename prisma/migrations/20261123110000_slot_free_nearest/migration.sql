-- A lost booking attempt is answered with the five nearest free slots (R13). Walking this index
-- outwards from the lost slot's time finds them without reading the booked slots around it: in a
-- rush nearly every slot near the popular times is booked, and every loser used to scan them all.
-- Only FREE rows are in it (a slot leaves it when booked, held or blocked).
CREATE INDEX "slot_free_nearest_idx" ON "slot" ("unit_id", "resource_id", "starts_at") WHERE "status" = 'FREE';
