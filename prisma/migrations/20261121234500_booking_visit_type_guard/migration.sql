-- R12: no new booking on a retired (deleted) visit type. Checked at commit (deferred), with a
-- fresh snapshot, so a booking that read the type before it was retired and commits after is
-- refused. Together with the FOR UPDATE lock taken when a type is deleted, this closes the race.
CREATE FUNCTION "booking_visit_type_not_retired"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM visit_type WHERE id = NEW.visit_type_id AND retired_at IS NOT NULL) THEN
    RAISE EXCEPTION USING MESSAGE = 'visit type ' || NEW.visit_type_id || ' is retired', ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER "booking_visit_type_not_retired" AFTER INSERT ON "booking"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "booking_visit_type_not_retired"();
