CREATE TABLE "atmobot"."imaging_queue" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" integer NOT NULL,
	"position" integer NOT NULL,
	"queued_by" text NOT NULL,
	"platform" text NOT NULL,
	"queued_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "atmobot"."request_event" (
	"id" serial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"record_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"platform" text NOT NULL,
	"action" text NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "imaging_queue_request_uq" ON "atmobot"."imaging_queue" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "request_event_record_idx" ON "atmobot"."request_event" USING btree ("subject","record_id");