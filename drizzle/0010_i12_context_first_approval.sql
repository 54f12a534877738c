CREATE TABLE "atmobot"."first_approval" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" integer NOT NULL,
	"approved_by" text NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL,
	"admin_message" text DEFAULT '' NOT NULL,
	"input" jsonb NOT NULL,
	"summary" text NOT NULL,
	"plan_key" text NOT NULL,
	"event_id" text,
	"channel" text,
	"message_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "first_approval_request_uq" ON "atmobot"."first_approval" USING btree ("request_id");