
import django.db.models.deletion
from django.db import migrations, models

from podcast import editors


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('notify', '0001_initial'),
        ('notify', '0002_editors_see_notifications'),
    ]

    dependencies = [
        ('episodes', '0001_squashed_0011_linked_renditions_read'),
    ]

    operations = [
        migrations.CreateModel(
            name='Sweep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('next_run_at', models.DateTimeField(blank=True, null=True)),
                ('last_run_at', models.DateTimeField(blank=True, null=True)),
                ('last_result', models.TextField(blank=True)),
                ('hubs', models.TextField(blank=True)),
            ],
        ),
        migrations.CreateModel(
            name='FeedState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_change_at', models.DateTimeField(blank=True, null=True)),
                ('last_change_at', models.DateTimeField(blank=True, null=True)),
                ('due_at', models.DateTimeField(blank=True, null=True)),
                ('reasons', models.JSONField(blank=True, default=list)),
                ('queued_for', models.DateTimeField(blank=True, null=True)),
                ('live_through', models.DateTimeField()),
                ('announced_at', models.DateTimeField(blank=True, null=True)),
                ('show', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notify_state', to='episodes.show')),
            ],
            options={
                'indexes': [models.Index(fields=['due_at'], name='feedstate_due_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('first_change_at__isnull', True), ('due_at__isnull', False), _connector='OR'), name='feedstate_pending_has_due')],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('websub', 'WebSub hub'), ('podping', 'Podping')], max_length=10)),
                ('target', models.URLField(help_text='The hub or the Podping gateway.', max_length=1000)),
                ('feed_url', models.URLField(max_length=1000)),
                ('reason', models.TextField(help_text='The changes it announces.')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('retrying', 'Failed, will retry'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('created', models.DateTimeField()),
                ('next_attempt_at', models.DateTimeField()),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('show', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='episodes.show')),
            ],
            options={
                'ordering': ['-created', '-id'],
                'indexes': [models.Index(fields=['show', '-created', '-id'], name='notification_show_recent_idx'), models.Index(fields=['status', 'next_attempt_at'], name='notification_due_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['websub', 'podping'])), name='notification_kind'), models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'retrying', 'sent', 'failed'])), name='notification_status')],
            },
        ),
        editors.granting("notify"),
    ]
