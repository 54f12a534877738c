CREATE TABLE "atmobot"."release_runbook" (
	"id" serial PRIMARY KEY NOT NULL,
	"tag" text NOT NULL,
	"deployment_day" date NOT NULL,
	"sites" jsonb NOT NULL,
	"time_zone" text NOT NULL,
	"chief" text NOT NULL,
	"driver" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"platform" text,
	"channel" text,
	"message_id" text
);
--> statement-breakpoint
CREATE TABLE "atmobot"."release_runbook_item" (
	"id" serial PRIMARY KEY NOT NULL,
	"runbook_id" integer NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"section" text NOT NULL,
	"title" text NOT NULL,
	"short" text NOT NULL,
	"owner" text NOT NULL,
	"site" text,
	"due_on" date NOT NULL,
	"command" text,
	"hint" text,
	"done_by" text,
	"done_at" timestamp with time zone,
	"done_via" text
);
--> statement-breakpoint
ALTER TABLE "atmobot"."release_runbook_item" ADD CONSTRAINT "release_runbook_item_runbook_id_release_runbook_id_fk" FOREIGN KEY ("runbook_id") REFERENCES "atmobot"."release_runbook"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "release_runbook_tag_uq" ON "atmobot"."release_runbook" USING btree ("tag");--> statement-breakpoint
CREATE UNIQUE INDEX "release_runbook_item_key_uq" ON "atmobot"."release_runbook_item" USING btree ("runbook_id","key");--> statement-breakpoint
CREATE INDEX "release_runbook_item_open_idx" ON "atmobot"."release_runbook_item" USING btree ("runbook_id","done_at");