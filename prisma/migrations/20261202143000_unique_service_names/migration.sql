-- Issue 11.5 (docs/adr/0018): one name per live service in an organisation, compared without
-- case, and one spelling per group. Written by hand: Prisma's schema cannot say either (an
-- expression index, a partial index), so schema.prisma only mentions them in a comment and the
-- datamodel diff (npm run migrate:new) never sees them.

-- 1. Groups that differ only in case (or surrounding spaces) take the spelling of the group's
--    first service in display order (position, then name), as the page already shows it first.
UPDATE "Service" AS s
SET "group" = c.spelling
FROM (
  SELECT DISTINCT ON ("organizationId", lower(btrim("group")))
    "organizationId", lower(btrim("group")) AS folded, btrim("group") AS spelling
  FROM "Service"
  WHERE "deletedAt" IS NULL AND "group" IS NOT NULL
  ORDER BY "organizationId", lower(btrim("group")), position, name, id
) AS c
WHERE s."deletedAt" IS NULL
  AND s."organizationId" = c."organizationId"
  AND lower(btrim(s."group")) = c.folded
  AND s."group" IS DISTINCT FROM c.spelling;

-- 2. Existing duplicate names (live services, compared without case): the oldest keeps its
--    name, each later one becomes "<name> (2)", "<name> (3)", … with the first number that is free,
--    so the index below can be built on any data and nothing is deleted.
DO $$
DECLARE
  dup record;
  k integer;
  candidate text;
BEGIN
  FOR dup IN
    SELECT id, "organizationId", name FROM (
      SELECT id, "organizationId", name,
             row_number() OVER (PARTITION BY "organizationId", lower(name) ORDER BY "createdAt", id) AS n
      FROM "Service" WHERE "deletedAt" IS NULL
    ) AS ranked
    WHERE n > 1
    ORDER BY "organizationId", lower(name), n
  LOOP
    k := 2;
    LOOP
      candidate := left(dup.name, 92) || ' (' || k || ')';
      EXIT WHEN NOT EXISTS (
        SELECT 1 FROM "Service"
        WHERE "organizationId" = dup."organizationId" AND "deletedAt" IS NULL AND lower(name) = lower(candidate)
      );
      k := k + 1;
    END LOOP;
    UPDATE "Service" SET name = candidate WHERE id = dup.id;
  END LOOP;
END $$;

-- 3. The rule itself, for every writer at once (two admins adding "API" at the same moment).
CREATE UNIQUE INDEX "Service_organizationId_lower_name_key" ON "Service" ("organizationId", lower(name)) WHERE "deletedAt" IS NULL;
