"""Reading an upload without its plaintext ever touching the disk: Django spools large uploads
to a temporary file, which for a client's evidence would be a plaintext copy outside the
encrypted storage. This handler keeps every upload in memory, up to the service's ceiling
(``ATTACHMENTS_MAX_UPLOAD_BYTES``, which also bounds the request body)."""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class InMemoryOnlyUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENTS_MAX_UPLOAD_BYTES:
            raise StopUpload(connection_reset=True)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
