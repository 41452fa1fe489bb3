from django.db import migrations


def book(apps, schema_editor):
    """Every activity that holds its venue (a draft, published or finished one) gets its booking in
    the venue's one calendar."""
    Activity = apps.get_model("volunteering", "Activity")
    VenueBooking = apps.get_model("resources", "VenueBooking")
    held = Activity.objects.filter(venue__isnull=False, status__in=["draft", "published", "finished"])
    VenueBooking.objects.bulk_create(
        [
            VenueBooking(
                venue_id=a.venue_id,
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                source=f"volunteering.activity:{a.pk}",
                title=a.title[:200],
                status="held",
                booked_by_id=a.created_by_id,
            )
            for a in held.iterator()
        ],
        batch_size=500,
    )


def unbook(apps, schema_editor):
    apps.get_model("resources", "VenueBooking").objects.filter(source__startswith="volunteering.activity:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0002_service_records_of_any_source"),
        ("resources", "0002_venue_calendar"),
    ]

    operations = [migrations.RunPython(book, unbook)]
