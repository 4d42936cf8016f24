-- The queue's counts kept once per statement instead of once per row. A
-- change of many requests at once (a bulk action, an import, a large
-- backfill) used to write each count once per request, leaving thousands of
-- dead versions of request_counts' six rows that every read of the counts
-- stepped over until autovacuum came by; now each count is written once.
-- backend-specific:begin
DROP TRIGGER requests_count_insert ON requests;
DROP TRIGGER requests_count_update ON requests;
DROP TRIGGER requests_count_delete ON requests;
DROP FUNCTION request_counts_keep();

CREATE FUNCTION request_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  buckets TEXT[];
  deltas BIGINT[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(bucket ORDER BY bucket), array_agg(k ORDER BY bucket) INTO buckets, deltas
    FROM (SELECT bucket, SUM(k) AS k FROM (
        SELECT 'status:' || status AS bucket, 1 AS k FROM new_rows
        UNION ALL SELECT 'unassigned', 1 FROM new_rows
          WHERE status IN ('new', 'open') AND assignee_id IS NULL
      ) AS d GROUP BY bucket HAVING SUM(k) <> 0) AS s;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(bucket ORDER BY bucket), array_agg(k ORDER BY bucket) INTO buckets, deltas
    FROM (SELECT bucket, SUM(k) AS k FROM (
        SELECT 'status:' || status AS bucket, -1 AS k FROM old_rows
        UNION ALL SELECT 'unassigned', -1 FROM old_rows
          WHERE status IN ('new', 'open') AND assignee_id IS NULL
      ) AS d GROUP BY bucket HAVING SUM(k) <> 0) AS s;
  ELSE
    SELECT array_agg(bucket ORDER BY bucket), array_agg(k ORDER BY bucket) INTO buckets, deltas
    FROM (SELECT bucket, SUM(k) AS k FROM (
        SELECT 'status:' || status AS bucket, -1 AS k FROM old_rows
        UNION ALL SELECT 'unassigned', -1 FROM old_rows
          WHERE status IN ('new', 'open') AND assignee_id IS NULL
        UNION ALL SELECT 'status:' || status, 1 FROM new_rows
        UNION ALL SELECT 'unassigned', 1 FROM new_rows
          WHERE status IN ('new', 'open') AND assignee_id IS NULL
      ) AS d GROUP BY bucket HAVING SUM(k) <> 0) AS s;
  END IF;
  IF buckets IS NULL THEN
    RETURN NULL;
  END IF;
  -- Lock the rows in one order, so that two changes moving requests
  -- between the same statuses in opposite directions wait for each other
  -- instead of deadlocking.
  PERFORM 1 FROM request_counts WHERE bucket = ANY (buckets) ORDER BY bucket FOR UPDATE;
  UPDATE request_counts AS c SET n = c.n + u.k
    FROM unnest(buckets, deltas) AS u (bucket, k) WHERE c.bucket = u.bucket;
  RETURN NULL;
END
$$;
CREATE TRIGGER requests_count_insert AFTER INSERT ON requests
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_keep();
CREATE TRIGGER requests_count_update AFTER UPDATE ON requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_keep();
CREATE TRIGGER requests_count_delete AFTER DELETE ON requests
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION request_counts_keep();
-- backend-specific:end
