CREATE TABLE "atmobot"."release_plan" (
	"id" serial PRIMARY KEY NOT NULL,
	"tag" text NOT NULL,
	"repos" jsonb NOT NULL,
	"state" text NOT NULL,
	"created_by" text NOT NULL,
	"platform" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"confirmed_by" text,
	"confirmed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"outcomes" jsonb
);
