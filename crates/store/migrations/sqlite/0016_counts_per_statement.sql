-- The queue's counts kept once per statement instead of once per row. A
-- change of many requests at once (a bulk action, an import, a large
-- backfill) used to write each count once per request, leaving thousands of
-- dead versions of request_counts' six rows that every read of the counts
-- stepped over until autovacuum came by; now each count is written once.
-- backend-specific:begin
-- SQLite rewrites a row in place and keeps no old versions for readers to
-- step over: its row triggers of 0011 stay.
SELECT 1;
-- backend-specific:end
