ALTER TABLE "atmobot"."release_runbook" ADD COLUMN "kind" text DEFAULT 'release' NOT NULL;--> statement-breakpoint
ALTER TABLE "atmobot"."release_runbook_item" ADD COLUMN "reminded_on" date;