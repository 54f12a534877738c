CREATE TABLE "atmobot"."maintenance_confirmation" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"until" timestamp with time zone,
	"statusio" boolean DEFAULT false NOT NULL,
	"window_id" integer,
	"details" text DEFAULT '' NOT NULL,
	"requested_by" text NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"outcome" jsonb
);
--> statement-breakpoint
CREATE TABLE "atmobot"."maintenance_window" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"message" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"state" text NOT NULL,
	"statusio_maintenance_id" text,
	"statusio" boolean DEFAULT false NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"notice_reminded_at" timestamp with time zone,
	"hour_reminded_at" timestamp with time zone,
	"overdue_reminded_at" timestamp with time zone,
	"atmosphere_record_id" integer,
	"troposphere_record_id" integer,
	"detail" jsonb
);
--> statement-breakpoint
CREATE INDEX "maintenance_window_state_idx" ON "atmobot"."maintenance_window" USING btree ("state","starts_at");