CREATE TABLE "atmobot"."alert_scan_cursor" (
	"job" text PRIMARY KEY NOT NULL,
	"last_event_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "atmobot"."alert_thread" (
	"id" serial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"record_id" integer NOT NULL,
	"channel" text NOT NULL,
	"parent_ref" jsonb,
	"state" text NOT NULL,
	"status" text NOT NULL,
	"old_status" text,
	"category" text NOT NULL,
	"fingerprint" text NOT NULL,
	"parent_fingerprint" text,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"claim_token" text,
	"claimed_at" timestamp with time zone,
	"opened_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "atmobot"."request_watch" (
	"subject" text NOT NULL,
	"record_id" integer NOT NULL,
	"status" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "request_watch_subject_record_id_pk" PRIMARY KEY("subject","record_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alert_thread_subject_record_uq" ON "atmobot"."alert_thread" USING btree ("subject","record_id");--> statement-breakpoint
CREATE INDEX "alert_thread_open_idx" ON "atmobot"."alert_thread" USING btree ("subject","state");