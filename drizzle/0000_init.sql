CREATE SCHEMA IF NOT EXISTS "atmobot";
--> statement-breakpoint
CREATE TABLE "atmobot"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"atmosphere_username" text,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"input" text NOT NULL,
	"outcome" text NOT NULL,
	"message" text,
	"detail" jsonb,
	"channel" text NOT NULL,
	"message_id" text
);
--> statement-breakpoint
CREATE TABLE "atmobot"."chat_link" (
	"id" serial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"atmosphere_user_id" integer NOT NULL,
	"atmosphere_username" text NOT NULL,
	"linked_by" text NOT NULL,
	"linked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "atmobot"."decision" (
	"id" serial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"record_id" integer NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"action" text NOT NULL,
	"state" text NOT NULL,
	"decided_by" text NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"admin_message" text DEFAULT '' NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "atmobot"."job_run" (
	"slot_key" text PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"runner" text NOT NULL,
	"ran_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "atmobot"."audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_name_idx" ON "atmobot"."audit_log" USING btree ("name","at");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_link_platform_user_uq" ON "atmobot"."chat_link" USING btree ("platform","chat_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "decision_subject_record_round_uq" ON "atmobot"."decision" USING btree ("subject","record_id","round");