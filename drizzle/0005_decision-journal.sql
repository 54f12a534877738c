ALTER TABLE "atmobot"."decision" ADD COLUMN "plan" jsonb;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "held_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "event_id" text;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "atmobot"."decision" ADD COLUMN "message_id" text;